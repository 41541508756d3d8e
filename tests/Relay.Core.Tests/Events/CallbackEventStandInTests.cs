using System.Text;
using System.Text.Json;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class CallbackEventStandInTests
{
    private static readonly CallbackEventFactory Factory = new(CallbackEventOptions.Default);
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_KeepsTheEnvelopeAndTheFieldsCut_LeavesOutWhatMadeItLarge()
    {
        string form = "RequestID=big&OverallStatusCode=Has%20Errors&StatusCode=Error&StatusMessage=" + new string('m', 5000)
            + "&ErrorCode=12000&SequenceCode=3&ResultDetailXML=" + Uri.EscapeDataString("<R><Results><StatusCode>Error</StatusCode></Results></R>");
        byte[] body = Encoding.UTF8.GetBytes(form);
        var full = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt, "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");

        var standIn = CallbackEventStandIn.Create(full);

        Assert.Equal(full.Id, standIn.Id);
        Assert.Equal(full.RoutingKey, standIn.RoutingKey);
        using var original = JsonDocument.Parse(full.Body);
        using var small = JsonDocument.Parse(standIn.Body, new JsonDocumentOptions { AllowDuplicateProperties = false });
        foreach (string attribute in (string[])["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "traceparent"])
        {
            Assert.Equal(original.RootElement.GetProperty(attribute).GetString(), small.RootElement.GetProperty(attribute).GetString());
        }

        var data = small.RootElement.GetProperty("data");
        Assert.True(data.GetProperty("truncated").GetBoolean());
        Assert.Equal(new string('m', CallbackEventStandIn.MaxFieldCharacters), data.GetProperty("statusMessage").GetString());
        Assert.Equal(12000, data.GetProperty("errorCode").GetInt32());
        Assert.Equal(3, data.GetProperty("sequenceCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("conversationId").ValueKind);
        Assert.False(data.TryGetProperty("results", out _));
        Assert.False(data.TryGetProperty("resultDetailXml", out _));
    }

    [Fact]
    public void Create_AnInvalidCallback_LeavesOutItsRawBody_KeepsItsReason()
    {
        byte[] body = Encoding.UTF8.GetBytes("StatusMessage=" + new string('x', 3000));
        var full = Factory.Create(CallbackFormReader.Read(body), body, ReceivedAt);

        using var small = JsonDocument.Parse(CallbackEventStandIn.Create(full).Body);

        var data = small.RootElement.GetProperty("data");
        Assert.False(data.TryGetProperty("rawBody", out _));
        Assert.False(data.TryGetProperty("rawBodyEncoding", out _));
        Assert.Equal(JsonValueKind.String, data.GetProperty("invalidReason").ValueKind);
        Assert.True(data.GetProperty("truncated").GetBoolean());
    }
}
