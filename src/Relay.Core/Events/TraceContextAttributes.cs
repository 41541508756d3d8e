using CloudNative.CloudEvents;

namespace Relay.Events;

/// <summary>
/// The CloudEvents distributed-tracing extension (<c>traceparent</c>, <c>tracestate</c>), through which a
/// consumer continues the trace of the request that brought the callback.
/// </summary>
public static class TraceContextAttributes
{
    public static CloudEventAttribute TraceParent { get; } =
        CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);

    public static CloudEventAttribute TraceState { get; } =
        CloudEventAttribute.CreateExtension("tracestate", CloudEventAttributeType.String);

    public static IReadOnlyList<CloudEventAttribute> All { get; } = [TraceParent, TraceState];
}
