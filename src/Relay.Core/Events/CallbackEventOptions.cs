using Relay.Core.Callbacks;

namespace Relay.Core.Events;

/// <summary>How events are built: their <c>source</c> and the bounds on ResultDetailXML parsing.</summary>
public sealed record CallbackEventOptions(string Source, ResultDetailXmlLimits ResultDetailLimits)
{
    public const string DefaultSource = "/marketing-cloud/callbacks";
    public const string EventType = "com.salesforce.marketingcloud.async.callback";

    /// <summary>The type of a <c>callback.missing</c> event: no callback and no final ResultMessage by <c>Relay:Reconciliation:MaxAge</c>.</summary>
    public const string MissingEventType = "com.salesforce.marketingcloud.async.missing";

    /// <summary>The <c>recovery</c> extension attribute of an event built from a ResultMessage rather than its callback.</summary>
    public const string RecoveredFromResultMessage = "resultmessage";

    public static CallbackEventOptions Default { get; } = new(DefaultSource, ResultDetailXmlLimits.Default);
}
