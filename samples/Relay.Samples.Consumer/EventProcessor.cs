using System.Diagnostics;
using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using RabbitMQ.Client;

namespace Relay.Samples.Consumer;

/// <summary>
/// What a consumer does with each message from Relay: read it as a CloudEvent, continue the trace that
/// began with Marketing Cloud's POST, skip a repeated message-id (Relay delivers at least once), and
/// hand the event to the team's own code. Acknowledge the message after this returns.
/// </summary>
public sealed class EventProcessor(Func<CloudEvent, string, Task> handle, int rememberedIds = 100_000)
{
    public const string ActivitySourceName = "Relay.Samples.Consumer";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private static readonly CloudEventAttribute TraceParent = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);
    private static readonly CloudEventAttribute TraceState = CloudEventAttribute.CreateExtension("tracestate", CloudEventAttributeType.String);

    private readonly JsonEventFormatter _formatter = new();
    private readonly RecentMessageIds _seen = new(rememberedIds);

    /// <returns>True when the event was handled, false when it was a repeat and skipped.</returns>
    public async Task<bool> ProcessAsync(string queue, string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var cloudEvent = _formatter.DecodeStructuredModeMessage(body,
            new ContentType(properties.ContentType ?? "application/cloudevents+json"), [TraceParent, TraceState]);

        // The AMQP header carries Relay's publish span; the event's own attribute, the request's span.
        // Either continues the same trace; the header is the closer parent.
        string? parentId = Header(properties, "traceparent") ?? cloudEvent[TraceParent] as string;
        ActivityContext.TryParse(parentId, Header(properties, "tracestate"), out var parent);
        using var activity = Source.StartActivity($"process {queue}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.subscription.name", queue);
        activity?.SetTag("messaging.rabbitmq.destination.routing_key", routingKey);
        activity?.SetTag("messaging.message.id", properties.MessageId);

        if (!_seen.TryAdd(properties.MessageId ?? cloudEvent.Id!))
        {
            activity?.SetTag("relay.sample.duplicate", true);
            return false;
        }

        await handle(cloudEvent, routingKey);
        return true;
    }

    private static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
