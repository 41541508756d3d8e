using System.Text;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class CloudEventEnvelopeTests
{
    [Fact]
    public void TryRead_AnEventRelayWrote_ReadsIdTimeAndSubject()
    {
        var time = new DateTimeOffset(2026, 12, 1, 8, 30, 15, 123, TimeSpan.Zero);
        byte[] form = Encoding.UTF8.GetBytes(
            "RequestID=request-1&OverallStatusCode=OK&StatusCode=OK&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=%3Cr%20time%3D%22x%22%2F%3E");
        var created = new CallbackEventFactory(CallbackEventOptions.Default).Create(Core.Callbacks.CallbackFormReader.Read(form), form, time,
            "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");

        Assert.True(CloudEventEnvelope.TryRead(created.Body.Span, out var envelope));
        Assert.Equal(new CloudEventEnvelope(created.Id, time, "request-1", CallbackEventOptions.DefaultSource, CallbackEventOptions.EventType,
            Recovery: null, TraceParent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
            RequestId: "request-1", ConversationId: null, OverallStatusCode: "OK"), envelope);
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"data\":{\"subject\":\"no\",\"time\":\"x\"},\"time\":\"2026-12-01T00:00:00.000Z\"}", "a", null)]
    [InlineData("{\"time\":\"2026-12-01T00:00:00Z\",\"subject\":\"s\",\"id\":\"b\",\"extra\":[1,{\"a\":2}]}", "b", "s")]
    public void TryRead_SkipsDataAndUnknownMembers(string json, string id, string? subject)
    {
        Assert.True(CloudEventEnvelope.TryRead(Encoding.UTF8.GetBytes(json), out var envelope));
        Assert.Equal(id, envelope.Id);
        Assert.Equal(subject, envelope.Subject);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), envelope.Time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"a\"}")]
    [InlineData("{\"id\":\"a\",\"time\":\"yesterday\"}")]
    [InlineData("{\"id\":1,\"time\":\"2026-12-01T00:00:00Z\"}")]
    [InlineData("{\"id\":\"a\",\"time\":\"2026-12-01T00:00:00Z\"")]
    public void TryRead_WhatIsNotAnEvent_IsRefused(string json)
    {
        Assert.False(CloudEventEnvelope.TryRead(Encoding.UTF8.GetBytes(json), out _));
    }
}
