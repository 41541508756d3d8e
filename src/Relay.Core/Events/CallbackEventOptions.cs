using Relay.Callbacks;

namespace Relay.Events;

/// <summary>How events are built: their <c>source</c> and the bounds on ResultDetailXML parsing.</summary>
public sealed record CallbackEventOptions(string Source, ResultDetailXmlLimits ResultDetailLimits)
{
    public const string DefaultSource = "/marketing-cloud/callbacks";
    public const string EventType = "com.salesforce.marketingcloud.async.callback";

    /// <summary>The type of a <c>callback.missing</c> event: no callback and no final ResultMessage by <c>Relay:Reconciliation:MaxAge</c>.</summary>
    public const string MissingEventType = "com.salesforce.marketingcloud.async.missing";

    /// <summary>The <c>recovery</c> extension attribute of an event built from a ResultMessage rather than its callback.</summary>
    public const string RecoveredFromResultMessage = "resultmessage";

    /// <summary>The CloudEvents type of an event with the given routing key, for the AMQP <c>type</c> property.</summary>
    public static string TypeOf(string routingKey) => routingKey == RoutingKeys.Missing ? MissingEventType : EventType;

    public static CallbackEventOptions Default { get; } = new(DefaultSource, ResultDetailXmlLimits.Default);
}
