using Relay.Core.Ens;
using Relay.Core.MarketingCloud;
using Relay.Core.Memory;
using Relay.Core.Reconciliation;

namespace Relay.Fuzzing;

/// <summary>
/// What fuzzing found, each kept as a test (their inputs are in fuzz/findings, which the integration
/// suite runs through the targets too).
/// </summary>
public sealed class FuzzFindingTests
{
    // A JSON string holding a byte that is not UTF-8: the reader accepts the JSON, reading the string threw.
    private static readonly byte[] TokenWithInvalidUtf8 = [.. """{"access_token":"t","expires_in":9,"soap_instance_url":"htt"""u8, 0x8B, .. """ps://x/"}"""u8];
    private static readonly byte[] ExpectationWithInvalidUtf8 = [.. """{"source":"prod-bu","requestId":"r-"""u8, 0xAB, .. """1"}"""u8];

    [Fact]
    public void ATokenAnswerThatIsNotUtf8_IsRefusedWithAReason_NotAnException()
    {
        Assert.False(TokenAnswer.TryRead(TokenWithInvalidUtf8, out _, out string? problem));
        Assert.Equal("the token answer is not UTF-8", problem);
    }

    [Fact]
    public void AnExpectationThatIsNotUtf8_IsRefusedWithAReason_NotAnException()
    {
        // Thrown, it made a poison message of the expectations queue that not even giving up on it could read.
        Assert.False(ExpectationJson.TryRead(ExpectationWithInvalidUtf8, out _, out string? problem));
        Assert.Equal("not UTF-8", problem);
        Assert.False(ExpectationJson.TryReadMany([.. "["u8, .. ExpectationWithInvalidUtf8, .. "]"u8], 10, out _, out problem));
        Assert.Equal("not UTF-8", problem);
    }

    [Fact]
    public void AnExpectationsSubmittedAt_IsKeptToTheMillisecond_SoThatItReadsBackTheSame()
    {
        Assert.True(ExpectationJson.TryRead("""{"source":"pbu","requestId":"r-1","submittedAt":"2026-12-01T08:00:00.0001"}"""u8, out var expectation, out _));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), expectation.SubmittedAt);
        Assert.True(ExpectationJson.TryRead(ExpectationJson.Write(expectation), out var again, out _));
        Assert.Equal(expectation, again);
    }

    [Fact]
    public void JsonWithAnEscapedLoneSurrogate_IsRefusedWithAReason_ByEveryReaderOfOutsideJson()
    {
        // Well-formed JSON whose string is no text: reading it threw in all three readers.
        Assert.False(ExpectationJson.TryRead("""{"source":"a\udccc","requestId":"r"}"""u8, out _, out string? problem));
        Assert.Equal(JsonStrings.LoneSurrogate, problem);
        Assert.False(TokenAnswer.TryRead("""{"access_token":"a\udccc","expires_in":5,"soap_instance_url":"https://x/"}"""u8, out _, out problem));
        Assert.EndsWith(JsonStrings.LoneSurrogate, problem, StringComparison.Ordinal);
        var ens = EnsBodyReader.Read("""[{"even\udCCCtCategoryType":"x"},{"info":{"a":"\ud800"}}]"""u8);
        Assert.EndsWith(JsonStrings.LoneSurrogate, ens.Problem, StringComparison.Ordinal);

        // A pair is text.
        Assert.Null(EnsBodyReader.Read("""[{"a":"\ud83d\ude00"}]"""u8).Problem);
    }
}
