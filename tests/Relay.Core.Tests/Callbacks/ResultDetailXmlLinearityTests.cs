using Relay.Core.Callbacks;

namespace Relay.Callbacks;

/// <summary>
/// The parser's work grows with its input, not with its square. Measured in bytes allocated on this
/// thread, which the runtime counts exactly, so the test does not depend on how busy the machine is.
/// </summary>
public sealed class ResultDetailXmlLinearityTests
{
    [Theory]
    [InlineData("<![CDATA[y]]>")]
    [InlineData("y<!---->")]
    [InlineData("y<?pi?>")]
    public void Parse_TextInManyPieces_CostsInProportionToItsLength(string piece)
    {
        long small = AllocatedParsing(piece, 10_000);
        long large = AllocatedParsing(piece, 40_000);

        // Four times the pieces: about four times the memory. Concatenating each piece onto the text so far
        // allocated sixteen times as much (200,000 CDATA sections took 28 s of CPU).
        double ratio = (double)large / small;
        Assert.InRange(ratio, 2.0, 6.0);
    }

    [Fact]
    public void Parse_TextInManyPieces_KeepsEveryPiece()
    {
        string xml = "<Results><StatusCode>" + string.Concat(Enumerable.Repeat("<![CDATA[ab]]>c<!---->", 1000)) + "</StatusCode></Results>";

        var detail = ResultDetailXmlParser.Parse(xml, ResultDetailXmlLimits.Default);

        var status = Assert.Single(Assert.Single(detail.Results!).Children);
        Assert.Equal(string.Concat(Enumerable.Repeat("abc", 1000)), status.Text);
    }

    private static long AllocatedParsing(string piece, int count)
    {
        string xml = "<Results><StatusCode>" + string.Concat(Enumerable.Repeat(piece, count)) + "</StatusCode></Results>";
        var limits = new ResultDetailXmlLimits(xml.Length + 1, ResultDetailXmlLimits.Default.MaxDepth);
        ResultDetailXmlParser.Parse(xml, limits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var detail = ResultDetailXmlParser.Parse(xml, limits);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(detail.Results);
        return allocated;
    }
}
