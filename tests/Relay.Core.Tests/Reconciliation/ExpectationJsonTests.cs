using System.Text;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

public sealed class ExpectationJsonTests
{
    [Fact]
    public void TryRead_AllFields_AndRespondWhenInAnyCase()
    {
        string json = """
            {"source":"test","requestId":"6b0d0a0e-3c55-4a39-9a66-3f0c2f5a1d11","respondWhen":"onerror","conversationId":"c-1",
             "submittedAt":"2026-12-01T10:00:00+01:00","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
             "producerField":{"kept":"out"}}
            """;

        Assert.True(ExpectationJson.TryRead(Encoding.UTF8.GetBytes(json), out var expectation, out string? problem), problem);

        Assert.Equal(new Expectation("test", "6b0d0a0e-3c55-4a39-9a66-3f0c2f5a1d11", "OnError", "c-1",
            new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), expectation);
        Assert.True(expectation!.SuccessHasNoCallback);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"requestId":"r"}""", "'source' is missing")]
    [InlineData("""{"source":"test"}""", "'requestId' is missing")]
    [InlineData("""{"source":"test","requestId":"  "}""", "'requestId' is missing")]
    [InlineData("""{"source":"test","requestId":"a b"}""", "'requestId' is longer")]
    [InlineData("""{"source":"test","requestId":"r","requestId":"s"}""", "'requestId' is given twice")]
    [InlineData("""{"source":"test","requestId":7}""", "'requestId' is not a string")]
    [InlineData("""{"source":"test","requestId":"r","respondWhen":"Sometimes"}""", "'respondWhen' is not one of")]
    [InlineData("""{"source":"test","requestId":"r","submittedAt":"yesterday"}""", "'submittedAt' is not")]
    [InlineData("""{"source":"test","requestId":"r","traceparent":"00-00000000000000000000000000000000-b7ad6b7169203331-01"}""", "'traceparent' is not")]
    [InlineData("""{"source":"test","requestId":"r"} {}""", "not valid JSON")]
    public void TryRead_Malformed_SaysWhy(string json, string problemStart)
    {
        Assert.False(ExpectationJson.TryRead(Encoding.UTF8.GetBytes(json), out var expectation, out string? problem));

        Assert.Null(expectation);
        Assert.StartsWith(problemStart, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_TooLongARequestId_IsRefused()
    {
        string json = $$"""{"source":"test","requestId":"{{new string('a', ExpectationJson.MaxIdLength + 1)}}"}""";

        Assert.False(ExpectationJson.TryRead(Encoding.UTF8.GetBytes(json), out _, out _));
    }

    [Fact]
    public void TryReadMany_OneOrAnArray_NamesTheBadElement()
    {
        Assert.True(ExpectationJson.TryReadMany("""{"source":"a","requestId":"1"}"""u8, 10, out var one, out _));
        Assert.Single(one);
        Assert.True(ExpectationJson.TryReadMany("""[{"source":"a","requestId":"1"},{"source":"a","requestId":"2"}]"""u8, 10, out var two, out _));
        Assert.Equal(["1", "2"], two.Select(expectation => expectation.RequestId));

        Assert.False(ExpectationJson.TryReadMany("""[{"source":"a","requestId":"1"},{"source":"a"}]"""u8, 10, out _, out string? problem));
        Assert.Equal("[1]: 'requestId' is missing", problem);
        Assert.False(ExpectationJson.TryReadMany("""[{"source":"a","requestId":"1"},{"source":"a","requestId":"2"}]"""u8, 1, out _, out problem));
        Assert.Equal("more than 1 expectations in one request", problem);
        Assert.False(ExpectationJson.TryReadMany("[]"u8, 10, out _, out problem));
        Assert.False(ExpectationJson.TryReadMany("[1]"u8, 10, out _, out problem));
        Assert.Equal("[0]: not a JSON object", problem);
    }

    [Fact]
    public void Write_ReadsBackTheSame()
    {
        var expectation = new Expectation("test", "r-1", "OnError", "c", new DateTimeOffset(2026, 12, 1, 9, 0, 0, 125, TimeSpan.Zero),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        Assert.True(ExpectationJson.TryRead(ExpectationJson.Write(expectation), out var read, out _));
        Assert.Equal(expectation, read);
        Assert.True(ExpectationJson.TryRead(ExpectationJson.Write(new Expectation("s", "r")), out read, out _));
        Assert.Equal(new Expectation("s", "r"), read);
    }
}
