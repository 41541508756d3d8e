using System.Text;
using System.Text.Json;
using Relay.Core.Ens;
using Relay.Core.Events;

namespace Relay.Ens;

/// <summary>ENS's pure parts: the body reader, the routing keys and ids, the events, the signature.</summary>
public sealed class EnsCoreTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 7, 11, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void ABatch_IsReadAsItsObjects_ExactlyAsSent_WithCategoryAndTimestamp()
    {
        byte[] body = """[ {"eventCategoryType":"EngagementEvents.EmailOpen","timestampUTC":1796637600123, "info" : {"x":"é"}} ,{"timestampUTC":-1e3}]"""u8.ToArray();
        var read = EnsBodyReader.Read(body);
        Assert.Null(read.Problem);
        Assert.Null(read.Verification);
        Assert.Equal(2, read.Notifications.Count);
        Assert.Equal("""{"eventCategoryType":"EngagementEvents.EmailOpen","timestampUTC":1796637600123, "info" : {"x":"é"}}""", Encoding.UTF8.GetString(read.Notifications[0].Raw.Span));
        Assert.Equal("EngagementEvents.EmailOpen", read.Notifications[0].Category);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796637600123), read.Notifications[0].Timestamp);
        Assert.Null(read.Notifications[1].Category);
        Assert.Null(read.Notifications[1].Timestamp);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[]", "empty")]
    [InlineData("[1]", "not an object")]
    [InlineData("[{}, null]", "not an object")]
    [InlineData("{\"callbackId\":\"x\"}", "not a verification")]
    [InlineData("{\"callbackId\":1,\"verificationKey\":\"k\"}", "not a verification")]
    [InlineData("true", "not an array")]
    [InlineData("[{\"a\":1,\"a\":1}]", "twice")]
    [InlineData("[{\"a\":{\"b\":1,\"b\":2}}]", "twice")]
    [InlineData("[{\"a\":1}]x", "well-formed")]
    [InlineData("[{\"a\":1} /* comment */]", "well-formed")]
    [InlineData("[{\"a\":01}]", "well-formed")]
    public void BodiesThatAreNeitherABatchNorAVerification_SayWhy(string body, string problem)
    {
        var read = EnsBodyReader.Read(Encoding.UTF8.GetBytes(body));
        Assert.Contains(problem, read.Problem, StringComparison.Ordinal);
        Assert.Empty(read.Notifications);
        Assert.Null(read.Verification);
    }

    [Fact]
    public void LimitsHold_OnCount_Depth_AndUtf8()
    {
        string many = "[" + string.Join(",", Enumerable.Repeat("{}", EnsBody.MaxEvents + 1)) + "]";
        Assert.Contains("more than 1000", EnsBodyReader.Read(Encoding.UTF8.GetBytes(many)).Problem, StringComparison.Ordinal);
        Assert.Equal(EnsBody.MaxEvents, EnsBodyReader.Read(Encoding.UTF8.GetBytes(many[..^4] + "]")).Notifications.Count);

        string deep = "[" + string.Concat(Enumerable.Repeat("{\"a\":", EnsBodyReader.MaxDepth)) + "1" + new string('}', EnsBodyReader.MaxDepth) + "]";
        Assert.Contains("well-formed", EnsBodyReader.Read(Encoding.UTF8.GetBytes(deep)).Problem, StringComparison.Ordinal);

        byte[] invalidUtf8 = [.. "[{\"a\":\""u8, 0xFF, 0xFE, .. "\"}]"u8];
        Assert.Contains("UTF-8", EnsBodyReader.Read(invalidUtf8).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AVerification_IsRead_AndItsKeyIsNeverShownWhole()
    {
        byte[] body = """{"callbackId":"5ba3a6b6-1d8e-4f1c-9a3e","verificationKey":"a1b2c3d4e5f6g7h8"}"""u8.ToArray();
        Assert.True(EnsBodyReader.IsVerification(body, out var verification));
        Assert.Equal("5ba3a6b6-1d8e-4f1c-9a3e", verification!.CallbackId);
        Assert.Equal("a1b2…", verification.RedactedKey);
        Assert.Equal(body, verification.Raw.ToArray());
        Assert.False(EnsBodyReader.IsVerification("""[{"callbackId":"x","verificationKey":"y"}]"""u8, out _));
    }

    [Theory]
    [InlineData("TransactionalSendEvents.EmailSent", "ens.transactionalsendevents.emailsent")]
    [InlineData("SendEvents.AutomationInstanceErrored", "ens.sendevents.automationinstanceerrored")]
    [InlineData("A b__c", "ens.a-b-c")]
    [InlineData("-x-", "ens.-x-")]
    [InlineData("Ünïcode.X", "ens.-n-code.x")]
    [InlineData("", "ens.unknown")]
    [InlineData(null, "ens.unknown")]
    public void RoutingKeys_AreTheCategoryLowerCased_WithRunsOfOtherCharactersAsOneDash(string? category, string expected) =>
        Assert.Equal(expected, RoutingKeys.ForEnsCategory(category));

    [Fact]
    public void Events_CarryTheObjectAsSent_TheCategoryAsType_AndIdsFromSourceAndBytes()
    {
        var read = EnsBodyReader.Read("""[{"eventCategoryType":"TransactionalSendEvents.SmsSent","timestampUTC":1796637600000,"n":1},{"n":2}]"""u8);
        var factory = new EnsEventFactory("/marketing-cloud/callbacks/acme");
        var first = factory.Create(read.Notifications[0], ReceivedAt, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var second = factory.Create(read.Notifications[1], ReceivedAt);

        using var json = JsonDocument.Parse(first.Body);
        var root = json.RootElement;
        Assert.Equal("com.salesforce.marketingcloud.ens.TransactionalSendEvents.SmsSent", root.GetProperty("type").GetString());
        Assert.Equal(first.Type, root.GetProperty("type").GetString());
        Assert.Equal("2026-12-07T10:00:00.000Z", root.GetProperty("time").GetString());
        Assert.Equal("/marketing-cloud/callbacks/acme", root.GetProperty("source").GetString());
        Assert.Equal("""{"eventCategoryType":"TransactionalSendEvents.SmsSent","timestampUTC":1796637600000,"n":1}""", root.GetProperty("data").GetRawText());
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", root.GetProperty("traceparent").GetString());
        Assert.Equal("ens.transactionalsendevents.smssent", first.RoutingKey);

        using var secondJson = JsonDocument.Parse(second.Body);
        Assert.Equal("2026-12-07T11:00:00.123Z", secondJson.RootElement.GetProperty("time").GetString());
        Assert.Equal(EnsEventFactory.TypePrefix + EnsEventFactory.UnknownCategory, second.Type);

        // The same bytes from the same source: the same id; another source or one byte more: another.
        Assert.Equal(first.Id, factory.Create(read.Notifications[0], ReceivedAt.AddDays(1)).Id);
        Assert.NotEqual(first.Id, new EnsEventFactory("/marketing-cloud/callbacks/other").Create(read.Notifications[0], ReceivedAt).Id);
        Assert.NotEqual(first.Id, EventIds.ForEns("/marketing-cloud/callbacks/acme", [.. read.Notifications[0].Raw.Span, (byte)' ']));
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public void Signatures_AreCheckedWithEveryKey_AndTheOtherReadingIsToldApart()
    {
        byte[] body = """[{"a":1}]"""u8.ToArray();
        const string utf8Key = "a-key-that-is-not-base64-at-all!";
        const string base64Key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQ";
        var signature = new EnsSignature([utf8Key, base64Key], EnsKeyEncoding.Utf8);

        Assert.Equal(EnsSignatureCheck.Valid, signature.Check(EnsSignature.Sign(body, utf8Key), body));
        Assert.Equal(EnsSignatureCheck.Valid, signature.Check(EnsSignature.Sign(body, base64Key), body));
        Assert.Equal(EnsSignatureCheck.OtherReading, signature.Check(EnsSignature.Sign(body, base64Key, EnsKeyEncoding.Base64), body));
        Assert.Equal(EnsSignatureCheck.Wrong, signature.Check(EnsSignature.Sign(body, "another-key-entirely-0000000"), body));
        Assert.Equal(EnsSignatureCheck.Wrong, signature.Check(EnsSignature.Sign(body, utf8Key), [.. body, (byte)' ']));
        Assert.Equal(EnsSignatureCheck.Missing, signature.Check(null, body));
        Assert.Equal(EnsSignatureCheck.Missing, signature.Check("", body));
        Assert.Equal(EnsSignatureCheck.Malformed, signature.Check("not base64", body));
        Assert.Equal(EnsSignatureCheck.Malformed, signature.Check(Convert.ToBase64String(new byte[31]), body));
        Assert.Equal(EnsSignatureCheck.Malformed, signature.Check(new string('A', 5000), body));

        var decoded = new EnsSignature([base64Key], EnsKeyEncoding.Base64);
        Assert.Equal(EnsSignatureCheck.Valid, decoded.Check(EnsSignature.Sign(body, base64Key, EnsKeyEncoding.Base64), body));
        Assert.Equal(EnsSignatureCheck.OtherReading, decoded.Check(EnsSignature.Sign(body, base64Key), body));
        Assert.Null(EnsSignature.KeyBytes(utf8Key, EnsKeyEncoding.Base64));
    }
}
