namespace Relay.Events;

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

    /// <summary>The CloudEvents <c>type</c>, also the AMQP <c>type</c> property.</summary>
    public string Type { get; init; } = CallbackEventOptions.EventType;
}
