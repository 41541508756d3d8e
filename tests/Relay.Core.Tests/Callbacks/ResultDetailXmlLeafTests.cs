using System.Text;
using System.Text.RegularExpressions;
using Relay.Core.Callbacks;

namespace Relay.Callbacks;

/// <summary>
/// The parser reads a plain leaf (<c>&lt;Name&gt;text&lt;/Name&gt;</c>) in one step; an end tag with a space
/// before its '>' is never read that way. So a document and the same document with every end tag spaced
/// must give the same results: the one-step path against the token-by-token one it stands for.
/// </summary>
public sealed partial class ResultDetailXmlLeafTests
{
    private const string Seed =
        "<CreateResponse xmlns=\"urn:p\" xmlns:q=\"urn:q\"><Results><StatusCode>OK</StatusCode><Empty></Empty><Blank> \n\t</Blank>" +
        "<ID>0</ID><Object><EmailAddress>subscriber000@example.com</EmailAddress><Text>a &gt; b</Text><Long>0123456789abcdefghijklmnopqrstuv</Long>" +
        "<Attributes><Name>First Name</Name><Value>Given0</Value></Attributes><Attributes><Name>Last</Name><Value/></Attributes>" +
        "<p:Name xmlns:p='urn:q'>x</p:Name><q:Leaf>v</q:Leaf><Typed a='1'>t</Typed><ÉName>é</ÉName><Namé>é</Namé></Object></Results>" +
        "<Results><StatusCode>Error</StatusCode><Bracket>a]b</Bracket><Gt>a>b</Gt></Results></CreateResponse>";

    [Fact]
    public void Parse_MutatedDocuments_GiveTheSameResultsWithEveryEndTagSpaced()
    {
        byte[] inserts = "<>/&;:= \"'a]#x!?-\r"u8.ToArray();
        var disagreements = new List<string>();
        int compared = 0;
        foreach (string xml in XmlMutations.Of(Seed, 20261208, inserts, minEdits: 0, maxEdits: 3, count: 20_000))
        {
            if (disagreements.Count >= 5)
            {
                break;
            }

            string? leaves = Results(xml);
            string? tokens = Results(EndTag().Replace(xml, "</$1 >"));
            if ((leaves is null) != (tokens is null))
            {
                disagreements.Add($"{(leaves is null ? "refused" : "accepted")} only as written: {xml}");
            }
            else if (leaves is not null)
            {
                compared++;
                if (leaves != tokens)
                {
                    disagreements.Add($"{xml}\n  as written:  {leaves}\n  end tags spaced: {tokens}");
                }
            }
        }

        Assert.Empty(disagreements);
        Assert.True(compared > 1_000, $"only {compared} documents were well-formed");
    }

    [Theory]
    [InlineData("<B>x</B>", "{\"B\":\"x\"}")]
    [InlineData("<B></B>", "{\"B\":null}")]
    [InlineData("<B> \n </B>", "{\"B\":null}")]
    [InlineData("<B> x </B>", "{\"B\":\" x \"}")]
    [InlineData("<B>a&amp;b</B>", "{\"B\":\"a&b\"}")]
    [InlineData("<B>a\r\nb</B>", "{\"B\":\"a\\nb\"}")]
    [InlineData("<B>a]b</B>", "{\"B\":\"a]b\"}")]
    [InlineData("<B>x</B ><C>y</C>", "{\"B\":\"x\",\"C\":\"y\"}")]
    [InlineData("<B>1</B><B>2</B>", "{\"B\":[\"1\",\"2\"]}")]
    public void Parse_LeavesInAResult_AreReadAsTheirTokensWouldBe(string leaves, string expected)
    {
        string xml = $"<R><Results><StatusCode>OK</StatusCode>{leaves}</Results></R>";

        Assert.Equal($"[{{\"StatusCode\":\"OK\",{expected[1..]}]", Results(xml));
    }

    [Theory]
    [InlineData("<B>x</b>")]
    [InlineData("<B>x</Bc>")]
    [InlineData("<Bc>x</B>")]
    [InlineData("<B>x</B")]
    [InlineData("<B>x<")]
    [InlineData("<B>]]></B>")]
    [InlineData("<B>&bogus;</B>")]
    [InlineData("<u:B>x</u:B>")]
    [InlineData("<1B>x</1B>")]
    public void Parse_BrokenLeaves_AreRefused(string leaf)
    {
        Assert.Null(Results($"<R><Results><StatusCode>OK</StatusCode>{leaf}</Results></R>"));
    }

    [Theory]
    [InlineData(63, true)]
    [InlineData(64, false)]
    public void Parse_ALeafAtTheDepthLimit_IsCountedAsAnyElement(int wrappers, bool accepted)
    {
        string xml = string.Concat(Enumerable.Repeat("<a>", wrappers)) + "<leaf>x</leaf>" + string.Concat(Enumerable.Repeat("</a>", wrappers));

        var detail = ResultDetailXmlParser.Parse(xml, new ResultDetailXmlLimits(MaxCharacters: 1_000_000, MaxDepth: 64));

        Assert.Equal(accepted, detail.Error is null);
    }

    /// <summary>The results as the event carries them, or null when the document is refused.</summary>
    private static string? Results(string xml)
    {
        var sink = new CollectedResults();
        string? error = ResultDetailXmlParser.Stream(Encoding.UTF8.GetBytes(xml), ResultDetailXmlLimits.Default, sink, out _);
        return error is null ? sink.Json() : null;
    }

    [GeneratedRegex("</([^\\s<>/]+)>")]
    private static partial Regex EndTag();
}
