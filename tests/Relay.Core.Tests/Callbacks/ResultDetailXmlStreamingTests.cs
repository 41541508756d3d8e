using System.Text;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>
/// Streaming hands results over as they are parsed and lets them go, and always ends with what reading the
/// whole tree first finds.
/// </summary>
public sealed class ResultDetailXmlStreamingTests
{
    public static TheoryData<string, string> Shapes => new()
    {
        { "results under a root", "<R>" + Results(3) + "<RequestID>r</RequestID></R>" },
        { "results deeper, beside other children", "<R><Head>h</Head><Batch>" + Results(2) + "</Batch><Batch>" + Results(2) + "</Batch></R>" },
        { "a root that is a result itself, its StatusCode first", "<R><StatusCode>OK</StatusCode>" + Results(2) + "</R>" },
        { "a root that is a result itself, its StatusCode after results", "<R>" + Results(2) + "<StatusCode>OK</StatusCode></R>" },
        { "a child that is a result, its StatusCode after a nested result", "<R><Results><Object><StatusCode>x</StatusCode></Object><StatusCode>OK</StatusCode></Results></R>" },
        { "no result anywhere: the root's children", "<R><A>1</A><B>2</B><A>3</A></R>" },
        { "no result and no children: the roots", "<A>1</A><B>2</B>" },
        { "a fragment of roots holding results", "<R>" + Results(2) + "</R><S>" + Results(1) + "</S>" },
        { "a fragment of roots that are results", Results(3) },
        { "a fragment: a root without results, then one with", "<R><A>1</A></R><S>" + Results(2) + "</S>" },
        { "an empty result element among results", "<R>" + Results(1) + "<Results/>" + Results(1) + "</R>" },
        { "not well-formed after results", "<R>" + Results(2) + "<Broken></R>" },
        { "too deep after results", "<R>" + Results(2) + string.Concat(Enumerable.Repeat("<D>", 70)) + string.Concat(Enumerable.Repeat("</D>", 70)) + "</R>" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Stream_EndsWithWhatParseFinds(string shape, string xml)
    {
        var whole = new CollectedResults();
        string? wholeError = ResultDetailXmlParser.ReadWhole(Encoding.UTF8.GetBytes(xml), ResultDetailXmlLimits.Default, whole, out bool wholeFound);
        var sink = new CollectedResults();

        string? error = ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out bool found);

        Assert.True(wholeError == error, shape);
        if (error is null)
        {
            Assert.True(found && wholeFound, shape);
            Assert.Equal(whole.Json(), sink.Json());
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WriteResults_IntoAnEvent_IsWhatParseFinds_OrNullAfterWhatCameBefore(string shape, string xml)
    {
        // As the event writes them: after other fields, in the event's own buffer, cut back when the document fails.
        var whole = new CollectedResults();
        string? wholeError = ResultDetailXmlParser.ReadWhole(Encoding.UTF8.GetBytes(xml), ResultDetailXmlLimits.Default, whole, out _);
        var json = new JsonBuffer(16);
        json.StartObject();
        json.Name("before"u8);
        json.Number(1);
        json.Name("results"u8);

        string? error = ResultsJsonSink.WriteResults(json, Encoding.UTF8.GetBytes(xml), ResultDetailXmlLimits.Default);
        json.Name("after"u8);
        json.Null();
        json.EndObject();

        Assert.True(wholeError == error, shape);
        Assert.Equal($"{{\"before\":1,\"results\":{(error is null ? whole.Json() : "null")},\"after\":null}}", Encoding.UTF8.GetString(json.Written));
    }

    [Fact]
    public void Stream_LetsEachResultGo_OnceHandedOver()
    {
        var xml = "<CreateResponse>" + Results(20_000) + "</CreateResponse>";
        var sink = new Forgetting();

        ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out _);

        Assert.Equal(20_000, sink.Count);
        Assert.True(sink.HighestNode < 16, $"the tree held {sink.HighestNode} elements: results were kept after they were handed over");
    }

    private static string Results(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"<Results><StatusCode>OK</StatusCode><ID>{i}</ID></Results>"));

    private sealed class Forgetting : IResultSink
    {
        public int Count { get; private set; }

        public int HighestNode { get; private set; }

        public void Result(ResultTree tree, int node)
        {
            Count++;
            HighestNode = Math.Max(HighestNode, node);
        }

        public void Discard() => Count = 0;
    }
}
