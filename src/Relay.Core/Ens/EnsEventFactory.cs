using Relay.Core.Events;

namespace Relay.Core.Ens;

/// <summary>
/// Turns ENS notifications and verifications into CloudEvents: <c>type</c> is
/// <c>com.salesforce.marketingcloud.ens.</c> followed by the event's <c>eventCategoryType</c> as sent;
/// <c>data</c> is the object as sent; <c>time</c> its <c>timestampUTC</c> when it has one, else when Relay
/// received it; <c>id</c> derived from the source and the object's exact bytes, so that ENS's retries of a
/// batch give the same ids.
/// </summary>
public sealed class EnsEventFactory
{
    public const string TypePrefix = "com.salesforce.marketingcloud.ens.";
    public const string VerificationType = TypePrefix + "verification";

    /// <summary>The type and routing key's last part of an event whose category is missing or unusable.</summary>
    public const string UnknownCategory = "unknown";

    private readonly string _source;

    /// <param name="source">The events' <c>source</c>: the same as the source's callbacks' events.</param>
    public EnsEventFactory(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        _source = source;
    }

    public CallbackEvent Create(EnsNotification notification, DateTimeOffset receivedAt, string? traceParent = null, string? traceState = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        string type = TypePrefix + (notification.Category ?? UnknownCategory);
        return Write(EventIds.ForEns(_source, notification.Raw.Span), RoutingKeys.ForEnsCategory(notification.Category), type,
            notification.Timestamp ?? receivedAt, notification.Raw, traceParent, traceState);
    }

    public CallbackEvent CreateVerification(EnsVerification verification, DateTimeOffset receivedAt, string? traceParent = null, string? traceState = null)
    {
        ArgumentNullException.ThrowIfNull(verification);
        return Write(EventIds.ForEns(_source, verification.Raw.Span), RoutingKeys.EnsVerification, VerificationType, receivedAt, verification.Raw,
            traceParent, traceState);
    }

    private CallbackEvent Write(string id, string routingKey, string type, DateTimeOffset time, ReadOnlyMemory<byte> raw, string? traceParent,
        string? traceState)
    {
        var at = new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var body = CloudEventJsonWriter.Write(id, _source, at, null, traceParent, traceState, new EnsEventData(type, raw), raw.Length + 1024);
        return new CallbackEvent(id, routingKey, at, body, null, null, null)
        {
            Type = type,
            TraceParent = traceParent,
        };
    }
}
