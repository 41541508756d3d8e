using System.Net;
using System.Text;
using System.Text.Json;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Events;

/// <summary>The normalizer, form to event, on a table of realistic callbacks.</summary>
public sealed class CallbackEventFactoryTests
{
    private static readonly DateTimeOffset ReceivedAt = new DateTimeOffset(2026, 11, 27, 7, 20, 16, 123, TimeSpan.Zero).AddTicks(4567);
    private static readonly CallbackEventFactory Factory = new(CallbackEventOptions.Default);

    private const string Namespaces =
        "xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    private sealed record Case(string Form, string RoutingKey, Action<JsonElement> Check);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["sparse success"] = new(
            Form(("RequestID", "6b0d0a0e-3c55-4a39-9a66-3f0c2f5a1d11"), ("OverallStatusCode", "OK"), ("StatusCode", "OK"),
                ("RequestType", "Asynchronous"), ("ResultType", "Asynchronous")),
            "callback.ok",
            data =>
            {
                Assert.Equal("6b0d0a0e-3c55-4a39-9a66-3f0c2f5a1d11", data.GetProperty("requestId").GetString());
                Assert.Equal(JsonValueKind.Null, data.GetProperty("statusMessage").ValueKind);
                Assert.Equal(JsonValueKind.Null, data.GetProperty("errorCode").ValueKind);
                Assert.Equal(JsonValueKind.Null, data.GetProperty("results").ValueKind);
                Assert.Equal(JsonValueKind.Null, data.GetProperty("resultDetailXml").ValueKind);
                Assert.False(data.TryGetProperty("resultDetailError", out _));
            }),
        ["error with message and code"] = new(
            Form(("RequestID", "r-err"), ("OverallStatusCode", "Error"), ("StatusCode", "Error"),
                ("StatusMessage", "Invalid data extension: Customers"), ("ErrorCode", "310007"),
                ("RequestType", "Asynchronous"), ("ResultType", "Asynchronous")),
            "callback.error",
            data =>
            {
                Assert.Equal("Invalid data extension: Customers", data.GetProperty("statusMessage").GetString());
                Assert.Equal(JsonValueKind.Number, data.GetProperty("errorCode").ValueKind);
                Assert.Equal(310007, data.GetProperty("errorCode").GetInt64());
            }),
        ["conversation part"] = new(
            Form(("RequestID", "r-conv"), ("ConversationID", "conv-42"), ("SequenceCode", "3"), ("OverallStatusCode", "Has Errors")),
            "callback.has-errors",
            data =>
            {
                Assert.Equal("conv-42", data.GetProperty("conversationId").GetString());
                Assert.Equal(3, data.GetProperty("sequenceCode").GetInt64());
            }),
        ["several namespaced results with xsi:type objects"] = new(
            Form(("RequestID", "r-xml"), ("OverallStatusCode", "Has Errors"), ("ResultDetailXML", $"""
                <CreateResponse {Namespaces}>
                  <Results xsi:type="CreateResult"><StatusCode>OK</StatusCode><OrdinalID>0</OrdinalID><NewID>17</NewID>
                    <Object xsi:type="Subscriber"><EmailAddress>ada@example.com</EmailAddress>
                      <Attributes><Name>First</Name><Value>Ada</Value></Attributes>
                      <Attributes><Name>Last</Name><Value>Lovelace</Value></Attributes></Object></Results>
                  <Results xsi:type="UpdateResult"><StatusCode>Error</StatusCode><StatusMessage>Bad key</StatusMessage>
                    <OrdinalID>1</OrdinalID><ErrorCode>12000</ErrorCode>
                    <Object xsi:type="DataExtensionObject"><CustomerKey>orders</CustomerKey><Empty/><Nil xsi:nil="true"/></Object></Results>
                </CreateResponse>
                """)),
            "callback.has-errors",
            data =>
            {
                var results = data.GetProperty("results");
                Assert.Equal(2, results.GetArrayLength());
                var created = results[0];
                Assert.Equal("CreateResult", created.GetProperty("@type").GetString());
                Assert.Equal("0", created.GetProperty("OrdinalID").GetString());
                var subscriber = created.GetProperty("Object");
                Assert.Equal("Subscriber", subscriber.GetProperty("@type").GetString());
                Assert.Equal(2, subscriber.GetProperty("Attributes").GetArrayLength());
                Assert.Equal("Lovelace", subscriber.GetProperty("Attributes")[1].GetProperty("Value").GetString());
                var updated = results[1];
                Assert.Equal("UpdateResult", updated.GetProperty("@type").GetString());
                Assert.Equal("Bad key", updated.GetProperty("StatusMessage").GetString());
                Assert.Equal(JsonValueKind.Null, updated.GetProperty("Object").GetProperty("Empty").ValueKind);
                Assert.Equal(JsonValueKind.Null, updated.GetProperty("Object").GetProperty("Nil").ValueKind);
                Assert.StartsWith("<CreateResponse", data.GetProperty("resultDetailXml").GetString(), StringComparison.Ordinal);
            }),
        ["unicode and plus and percent encodings"] = new(
            "RequestID=r-uni&OverallStatusCode=OK&StatusMessage=%C3%89chec+%E2%80%94+100%25+done+%F0%9F%93%A7+a%2Bb",
            "callback.ok",
            data => Assert.Equal("Échec — 100% done 📧 a+b", data.GetProperty("statusMessage").GetString())),
        ["every field empty but RequestID"] = new(
            "RequestID=r-empty&ConversationID=&OverallStatusCode=&StatusCode=&StatusMessage=&ErrorCode=&RequestType=&ResultType=&ResultDetailXML=&SequenceCode=",
            "callback.unknown",
            data =>
            {
                foreach (string name in new[] { "conversationId", "overallStatusCode", "statusCode", "statusMessage", "errorCode",
                    "requestType", "resultType", "sequenceCode", "results", "resultDetailXml" })
                {
                    Assert.Equal(JsonValueKind.Null, data.GetProperty(name).ValueKind);
                }
            }),
        ["non-numeric error code"] = new(
            Form(("RequestID", "r-nn"), ("OverallStatusCode", "Error"), ("ErrorCode", "E42"), ("SequenceCode", "first")),
            "callback.error",
            data =>
            {
                Assert.Equal("E42", data.GetProperty("errorCode").GetString());
                Assert.Equal("first", data.GetProperty("sequenceCode").GetString());
            }),
        ["malformed ResultDetailXML"] = new(
            Form(("RequestID", "r-bad"), ("OverallStatusCode", "OK"), ("ResultDetailXML", "<Results><Result><StatusCode>OK</Result>")),
            "callback.ok",
            data =>
            {
                Assert.Equal(JsonValueKind.Null, data.GetProperty("results").ValueKind);
                Assert.Contains("not well-formed", data.GetProperty("resultDetailError").GetString(), StringComparison.Ordinal);
                Assert.Equal("<Results><Result><StatusCode>OK</Result>", data.GetProperty("resultDetailXml").GetString());
            }),
        ["ResultDetailXML that breaks after results were written"] = new(
            Form(("RequestID", "r-late"), ("OverallStatusCode", "Has Errors"), ("ResultDetailXML",
                "<R><Results><StatusCode>OK</StatusCode></Results><Results><StatusCode>Error</StatusCode></Results><Broken></R>")),
            "callback.has-errors",
            data =>
            {
                Assert.Equal(JsonValueKind.Null, data.GetProperty("results").ValueKind);
                Assert.Contains("not well-formed", data.GetProperty("resultDetailError").GetString(), StringComparison.Ordinal);
            }),
        ["XXE attempt"] = new(
            Form(("RequestID", "r-xxe"), ("OverallStatusCode", "OK"), ("ResultDetailXML",
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Result><StatusCode>&xxe;</StatusCode></Result>")),
            "callback.ok",
            data =>
            {
                Assert.Equal(JsonValueKind.Null, data.GetProperty("results").ValueKind);
                Assert.Contains("DTD", data.GetProperty("resultDetailError").GetString(), StringComparison.Ordinal);
                Assert.DoesNotContain("root:", data.GetRawText(), StringComparison.Ordinal);
            }),
        ["billion laughs attempt"] = new(
            Form(("RequestID", "r-lol"), ("OverallStatusCode", "OK"), ("ResultDetailXML",
                "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Result><StatusCode>&c;</StatusCode></Result>")),
            "callback.ok",
            data =>
            {
                Assert.Equal(JsonValueKind.Null, data.GetProperty("results").ValueKind);
                Assert.Contains("DTD", data.GetProperty("resultDetailError").GetString(), StringComparison.Ordinal);
            }),
        ["no RequestID"] = new(
            "OverallStatusCode=OK&StatusCode=OK",
            "callback.invalid",
            data =>
            {
                Assert.Equal("the form has no RequestID", data.GetProperty("invalidReason").GetString());
                Assert.Equal("OverallStatusCode=OK&StatusCode=OK", data.GetProperty("rawBody").GetString());
                Assert.Equal("utf-8", data.GetProperty("rawBodyEncoding").GetString());
                Assert.Equal("OK", data.GetProperty("overallStatusCode").GetString());
            }),
        ["bytes that are not UTF-8"] = new(
            "RequestID=%FF%FE&raw=\u00ff",
            "callback.invalid",
            data =>
            {
                Assert.Equal("base64", data.GetProperty("rawBodyEncoding").GetString());
                Assert.Equal(Encoding.Latin1.GetBytes("RequestID=%FF%FE&raw=\u00ff"), data.GetProperty("rawBody").GetBytesFromBase64());
            }),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_RealisticCallback_MatchesTheContract(string name)
    {
        var testCase = Cases[name];
        byte[] body = testCase.RoutingKey == "callback.invalid" && name.Contains("UTF-8", StringComparison.Ordinal)
            ? Encoding.Latin1.GetBytes(testCase.Form)
            : Encoding.UTF8.GetBytes(testCase.Form);

        var created = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt);

        Assert.Equal(testCase.RoutingKey, created.RoutingKey);
        using var json = JsonDocument.Parse(created.Body);
        var root = json.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(created.Id, root.GetProperty("id").GetString());
        Assert.Equal("/marketing-cloud/callbacks", root.GetProperty("source").GetString());
        Assert.Equal("com.salesforce.marketingcloud.async.callback", root.GetProperty("type").GetString());
        Assert.Equal("2026-11-27T07:20:16.123Z", root.GetProperty("time").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        var data = root.GetProperty("data");
        if (created.RequestId is null)
        {
            Assert.False(root.TryGetProperty("subject", out _));
        }
        else
        {
            Assert.Equal(created.RequestId, root.GetProperty("subject").GetString());
        }

        testCase.Check(data);
    }

    [Fact]
    public void Create_DataFields_AreInTheDocumentedOrder()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r&OverallStatusCode=OK");

        var created = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt);

        using var json = JsonDocument.Parse(created.Body);
        Assert.Equal(
            ["requestId", "conversationId", "overallStatusCode", "statusCode", "statusMessage", "errorCode",
             "requestType", "resultType", "sequenceCode", "results", "resultDetailXml"],
            json.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Create_SameCallbackTwice_YieldsTheSameIdAtAnyTime()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r&OverallStatusCode=OK");

        var first = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt);
        var second = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt.AddHours(3));

        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public void Create_WithTraceParent_CarriesTheDistributedTracingExtension()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r");
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var created = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt, traceParent, "vendor=1");

        using var json = JsonDocument.Parse(created.Body);
        Assert.Equal(traceParent, json.RootElement.GetProperty("traceparent").GetString());
        Assert.Equal("vendor=1", json.RootElement.GetProperty("tracestate").GetString());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_RealisticCallback_IsAValidCloudEventForTheSdk(string name)
    {
        byte[] body = Encoding.Latin1.GetBytes(Cases[name].Form);
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var created = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt, traceParent);
        var traceParentAttribute = CloudNative.CloudEvents.CloudEventAttribute.CreateExtension("traceparent", CloudNative.CloudEvents.CloudEventAttributeType.String);

        // The CloudEvents SDK, as consumers use it, is the judge of what Relay writes.
        var decoded = new CloudNative.CloudEvents.SystemTextJson.JsonEventFormatter().DecodeStructuredModeMessage(
            created.Body, new System.Net.Mime.ContentType(CallbackEvent.ContentType), [traceParentAttribute]);

        Assert.Equal(CloudNative.CloudEvents.CloudEventsSpecVersion.V1_0, decoded.SpecVersion);
        Assert.Equal(created.Id, decoded.Id);
        Assert.Equal("/marketing-cloud/callbacks", decoded.Source!.ToString());
        Assert.Equal("com.salesforce.marketingcloud.async.callback", decoded.Type);
        Assert.Equal(ReceivedAt.AddTicks(-4567), decoded.Time);
        Assert.Equal("application/json", decoded.DataContentType);
        Assert.Equal(traceParent, decoded[traceParentAttribute]);
        Assert.True(decoded.IsValid);
    }

    [Fact]
    public void Create_Unreadable_KeepsOnlyTheRawBody()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r%00&OverallStatusCode=OK");

        var created = Factory.Create(CallbackReadResult.Unreadable, body, ReceivedAt);

        Assert.Equal("callback.invalid", created.RoutingKey);
        using var json = JsonDocument.Parse(created.Body);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("RequestID=r%00&OverallStatusCode=OK", data.GetProperty("rawBody").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("requestId").ValueKind);
    }

    [Fact]
    public void Create_ConfiguredSource_IsTheEventSource()
    {
        var factory = new CallbackEventFactory(CallbackEventOptions.Default with { Source = "https://relay.example.com/mc" });
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r");

        var created = factory.Create(CallbackFormReader.Read(body), body, ReceivedAt);

        using var json = JsonDocument.Parse(created.Body);
        Assert.Equal("https://relay.example.com/mc", json.RootElement.GetProperty("source").GetString());
    }

    private static string Form(params (string Name, string Value)[] fields) =>
        string.Join('&', fields.Select(f => f.Name + "=" + WebUtility.UrlEncode(f.Value)));
}
