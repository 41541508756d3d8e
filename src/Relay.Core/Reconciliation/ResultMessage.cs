using Relay.Core.Callbacks;

namespace Relay.Core.Reconciliation;

/// <summary>
/// One ResultMessage Marketing Cloud keeps for an asynchronous call: the ten fields its callback carries
/// (empty ones null, as in a callback) and how many calls its conversation has.
/// </summary>
public sealed record ResultMessage(MarketingCloudCallback Fields, string? CallsInConversation)
{
    /// <summary>
    /// A result Marketing Cloud has settled: it has a status. A call still in its asynchronous queue has no
    /// ResultMessage yet, or one without a status.
    /// </summary>
    public bool IsFinal => !string.IsNullOrWhiteSpace(Fields.OverallStatusCode) || !string.IsNullOrWhiteSpace(Fields.StatusCode);
}
