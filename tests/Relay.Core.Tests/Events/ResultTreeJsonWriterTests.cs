using System.Text.Json;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class ResultTreeJsonWriterTests
{
    private const string Namespaces = "xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:c=\"urn:c\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    [Theory]
    [InlineData($"<Results {Namespaces} xsi:type=\"CreateResult\" type=\"plain\"><StatusCode>OK</StatusCode></Results>",
        "{\"@type\":\"CreateResult\",\"@type#2\":\"plain\",\"StatusCode\":\"OK\"}")]
    [InlineData($"<Results {Namespaces} a:x=\"1\" b:x=\"2\" c:x=\"3\" x=\"4\"><StatusCode>OK</StatusCode></Results>",
        "{\"@x\":\"1\",\"@x#2\":\"2\",\"@x#3\":\"3\",\"@x#4\":\"4\",\"StatusCode\":\"OK\"}")]
    [InlineData($"<Results {Namespaces} a:x=\"1\" y=\"2\"><StatusCode>OK</StatusCode></Results>",
        "{\"@x\":\"1\",\"@y\":\"2\",\"StatusCode\":\"OK\"}")]
    public void WriteObject_AttributesThatCollideWithoutNamespaces_GetUniqueKeysInDocumentOrder(string xml, string expected)
    {
        string json = WriteTheOnlyResult(xml);

        Assert.Equal(expected, json);
        using var strict = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a &quot;quote&quot;", "\"a \\\"quote\\\"\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("tab&#9;line&#10;return&#13;", "\"tab\\tline\\nreturn\\r\"")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123&quot;", "\"0123456789012345678901234567890123456789012345678901234567890123\\\"\"")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901&quot;", "\"01234567890123456789012345678901234567890123456789012345678901\\\"\"")]
    public void WriteObject_ValuesShortAndLong_AreEscapedAsJsonRequires(string xmlText, string expectedValue)
    {
        string json = WriteTheOnlyResult($"<Results><StatusCode>OK</StatusCode><V>{xmlText}</V></Results>");

        Assert.Equal($"{{\"StatusCode\":\"OK\",\"V\":{expectedValue}}}", json);
        using var strict = JsonDocument.Parse(json);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(300)]
    public void WriteObject_ChildrenOfManyNames_GroupsOnlyTheSameNames(int names)
    {
        // Names alike in their first and last bytes, a few and more than the grouping scans, past the name table's first size.
        var xml = new System.Text.StringBuilder("<Results><StatusCode>OK</StatusCode>");
        var expected = new System.Text.StringBuilder("{\"StatusCode\":\"OK\"");
        for (int i = 0; i < names; i++)
        {
            string name = $"Field_{i:D5}_x";
            xml.Append($"<{name}>v{i}</{name}>");
            expected.Append(i == 1 ? $",\"{name}\":[\"v{i}\",\"again\"]" : $",\"{name}\":\"v{i}\"");
        }

        xml.Append("<Field_00001_x>again</Field_00001_x></Results>");

        string json = WriteTheOnlyResult(xml.ToString());

        Assert.Equal(expected.Append('}').ToString(), json);
        using var strict = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
    }

    [Fact]
    public void WriteObject_SiblingsWhoseNameNumbersMatchModulo64_AreGroupedOnlyByName()
    {
        // The writer marks names by their numbers modulo 64: a first result of seventy names makes N2 and N66
        // share a mark in the second, where only N66 repeats.
        string many = string.Concat(Enumerable.Range(0, 70).Select(i => $"<N{i}>v</N{i}>"));
        string xml = $"<R><Results><StatusCode>OK</StatusCode>{many}</Results>"
            + "<Results><StatusCode>OK</StatusCode><N66>a</N66><N2>b</N2><N66>c</N66><N3>d</N3><N67>e</N67></Results></R>";
        var sink = new Writing();

        Assert.Null(ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out _));

        Assert.Equal("""{"StatusCode":"OK","N66":["a","c"],"N2":"b","N3":"d","N67":"e"}""", sink.Results[1]);
    }

    [Fact]
    public void WriteObject_ManyAttributesOfRepeatedLocalNames_NumbersEachRepeat()
    {
        // More attributes than the scan handles, so that the counting by name number is a dictionary's.
        string attributes = string.Concat(Enumerable.Range(0, 20).Select(i => $" a:n{i % 10}=\"{i}\"".Replace("a:", i < 10 ? "a:" : "b:", StringComparison.Ordinal)));
        string json = WriteTheOnlyResult($"<Results {Namespaces}{attributes}><StatusCode>OK</StatusCode></Results>");

        string expected = "{" + string.Concat(Enumerable.Range(0, 20).Select(i => $"\"@n{i % 10}{(i < 10 ? "" : "#2")}\":\"{i}\",")) + "\"StatusCode\":\"OK\"}";
        Assert.Equal(expected, json);
    }

    private static string WriteTheOnlyResult(string xml)
    {
        var sink = new Writing();
        Assert.Null(ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out _));
        return Assert.Single(sink.Results);
    }

    private sealed class Writing : IResultSink
    {
        public List<string> Results { get; } = [];

        public void Result(ResultTree tree, int node)
        {
            var json = new JsonBuffer(256);
            ResultTreeJsonWriter.WriteObject(json, tree, node);
            Results.Add(System.Text.Encoding.UTF8.GetString(json.Written));
        }

        public void Discard() => Results.Clear();
    }
}
