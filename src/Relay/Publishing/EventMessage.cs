using RabbitMQ.Client;
using Relay.Core.Events;

namespace Relay.Publishing;

/// <summary>The AMQP properties every event is published with (docs/consumers/events.md).</summary>
internal static class EventMessage
{
    /// <summary>A new instance per publish: the client adds its own headers to the one it is given.</summary>
    public static BasicProperties Properties(CallbackEvent callbackEvent) => new()
    {
        DeliveryMode = DeliveryModes.Persistent,
        ContentType = CallbackEvent.ContentType,
        MessageId = callbackEvent.Id,
        Timestamp = new AmqpTimestamp(callbackEvent.Time.ToUnixTimeSeconds()),
        Type = callbackEvent.Type,
        AppId = "relay",
        Headers = new Dictionary<string, object?>(2),
    };
}
