namespace Relay.Core.Reconciliation;

/// <summary>
/// A producer's word that it made an asynchronous call whose result Relay must see through to exactly one
/// event: its callback, the ResultMessage Marketing Cloud keeps, or an explicit "missing" event.
/// </summary>
/// <param name="Source">The name of the callback source (<c>Relay:Callbacks:Sources:&lt;name&gt;</c>) the call reports to.</param>
/// <param name="RequestId">The RequestID Marketing Cloud answered the call with.</param>
/// <param name="RespondWhen">The call's RespondWhen, by Marketing Cloud's name; null when not given.</param>
/// <param name="ConversationId">The call's ConversationID, when it has one.</param>
/// <param name="SubmittedAt">When the producer made the call; Marketing Cloud's retention counts from then.</param>
/// <param name="TraceParent">The producer's W3C trace context; reconciliation's spans link to it.</param>
public sealed record Expectation(
    string Source,
    string RequestId,
    string? RespondWhen = null,
    string? ConversationId = null,
    DateTimeOffset? SubmittedAt = null,
    string? TraceParent = null)
{
    /// <summary>True when Marketing Cloud posts no callback for a success (RespondWhen <c>OnError</c>, <c>Never</c>).</summary>
    public bool SuccessHasNoCallback => RespondWhen is { } when
        && (when.Equals("OnError", StringComparison.OrdinalIgnoreCase) || when.Equals("Never", StringComparison.OrdinalIgnoreCase)
            || when.Equals("OnConversationError", StringComparison.OrdinalIgnoreCase));
}
