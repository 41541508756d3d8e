using Relay.Callbacks;

namespace Relay.Events;

/// <summary>How events are built: their <c>source</c> and the bounds on ResultDetailXML parsing.</summary>
public sealed record CallbackEventOptions(string Source, ResultDetailXmlLimits ResultDetailLimits)
{
    public const string DefaultSource = "/marketing-cloud/callbacks";
    public const string EventType = "com.salesforce.marketingcloud.async.callback";

    public static CallbackEventOptions Default { get; } = new(DefaultSource, ResultDetailXmlLimits.Default);
}
