namespace Relay.Core.Events;

/// <summary>
/// One callback, ready to publish: the encoded CloudEvent and what the transport and telemetry need
/// to know about it without decoding it again.
/// </summary>
public sealed record CallbackEvent(
    string Id,
    string RoutingKey,
    DateTimeOffset Time,
    ReadOnlyMemory<byte> Body,
    string? RequestId,
    string? ConversationId,
    string? Status)
{
    /// <summary>The content type of <see cref="Body"/>: a CloudEvent in structured JSON mode.</summary>
    public const string ContentType = "application/cloudevents+json";

    /// <summary>
    /// The W3C trace context of the span that made the event (the callback's request, or reconciliation's
    /// span): its CloudEvents <c>traceparent</c>, kept with it in the outbox and quarantine, so that a
    /// publish from there links to it. The one route and the one name of an event's trace context.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The CloudEvents <c>type</c>, also the AMQP <c>type</c> property.</summary>
    public string Type { get; init; } = CallbackEventOptions.EventType;
}
