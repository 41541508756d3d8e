using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

/// <summary>Recovered and missing events: what consumers see when no callback came.</summary>
public sealed class ReconciliationEventsTests
{
    private static readonly CallbackEventFactory Factory = new(CallbackEventOptions.Default with { Source = "/marketing-cloud/callbacks/test" });
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, 456, TimeSpan.Zero);
    private static readonly CloudEventAttribute RecoveryAttribute = CloudEventAttribute.CreateExtension("recovery", CloudEventAttributeType.String);

    [Fact]
    public void Recovered_HasTheIdRoutingKeyAndDataOfItsCallback_AndTheRecoveryAttribute()
    {
        byte[] form = Encoding.UTF8.GetBytes(
            "RequestID=r-1&ConversationID=&OverallStatusCode=Error&StatusCode=Error&StatusMessage=Not+found&ErrorCode=180008" +
            "&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=&SequenceCode=");
        var read = CallbackFormReader.Read(form);
        var callbackEvent = Factory.Create(read, form, Now);
        var result = new ResultMessage(read.Callback, CallsInConversation: null);

        var recovered = Factory.CreateRecovered(result, Now.AddMinutes(20));

        Assert.Equal(callbackEvent.Id, recovered.Id);
        Assert.Equal(callbackEvent.RoutingKey, recovered.RoutingKey);
        var decoded = new JsonEventFormatter().DecodeStructuredModeMessage(recovered.Body, new ContentType(CallbackEvent.ContentType), [RecoveryAttribute]);
        Assert.True(decoded.IsValid);
        Assert.Equal("resultmessage", decoded[RecoveryAttribute]);
        Assert.Equal(CallbackEventOptions.EventType, decoded.Type);
        Assert.Equal("r-1", decoded.Subject);
        using var callbackJson = JsonDocument.Parse(callbackEvent.Body);
        using var recoveredJson = JsonDocument.Parse(recovered.Body);
        Assert.Equal(callbackJson.RootElement.GetProperty("data").GetRawText(), recoveredJson.RootElement.GetProperty("data").GetRawText());
    }

    [Fact]
    public void Missing_IsItsOwnType_WithADeterministicId()
    {
        var expectation = new Expectation("test", "r-2", "OnError", "c-9", Now.AddDays(-30));
        var registered = Now.AddDays(-30).AddSeconds(2);

        var missing = Factory.CreateMissing(expectation, registered, 7, Now.AddMinutes(-5), Now);

        Assert.Equal(RoutingKeys.Missing, missing.RoutingKey);
        Assert.Equal(CallbackEventOptions.MissingEventType, missing.Type);
        Assert.Equal(EventIds.ForMissing("/marketing-cloud/callbacks/test", "r-2"), missing.Id);
        Assert.Equal(missing.Id, Factory.CreateMissing(expectation, registered, 8, null, Now.AddHours(1)).Id);
        var decoded = new JsonEventFormatter().DecodeStructuredModeMessage(missing.Body, new ContentType(CallbackEvent.ContentType), null);
        Assert.True(decoded.IsValid);
        Assert.Equal(CallbackEventOptions.MissingEventType, decoded.Type);
        using var json = JsonDocument.Parse(missing.Body);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("r-2", data.GetProperty("requestId").GetString());
        Assert.Equal("c-9", data.GetProperty("conversationId").GetString());
        Assert.Equal("OnError", data.GetProperty("respondWhen").GetString());
        Assert.Equal(7, data.GetProperty("retrieves").GetInt32());
        Assert.Equal(registered.AddTicks(-(registered.Ticks % TimeSpan.TicksPerMillisecond)), data.GetProperty("registeredAt").GetDateTimeOffset());
        Assert.True(CloudEventEnvelope.TryRead(missing.Body.Span, out var envelope));
        Assert.Equal(CallbackEventOptions.MissingEventType, envelope.Type);
        Assert.Equal("r-2", envelope.RequestId);
    }
}
