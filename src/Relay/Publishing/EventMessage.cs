using RabbitMQ.Client;
using Relay.Core.Events;

namespace Relay.Publishing;

/// <summary>The AMQP message every event is published as (docs/consumers/events.md): its properties and trace headers.</summary>
internal static class EventMessage
{
    /// <summary>
    /// A new instance per publish (the client adds its own headers to the one it is given), with the W3C
    /// trace context in <c>traceparent</c> and <c>tracestate</c> when there is one.
    /// </summary>
    public static BasicProperties Properties(CallbackEvent callbackEvent, string? traceParent, string? traceState = null)
    {
        var headers = new Dictionary<string, object?>(2);
        if (traceParent is not null)
        {
            headers["traceparent"] = traceParent;
            if (!string.IsNullOrEmpty(traceState))
            {
                headers["tracestate"] = traceState;
            }
        }

        return new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = CallbackEvent.ContentType,
            MessageId = callbackEvent.Id,
            Timestamp = new AmqpTimestamp(callbackEvent.Time.ToUnixTimeSeconds()),
            Type = callbackEvent.Type,
            AppId = "relay",
            Headers = headers,
        };
    }
}
