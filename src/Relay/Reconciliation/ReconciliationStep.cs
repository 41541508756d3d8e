namespace Relay.Reconciliation;

/// <summary>What happens next to an expectation, decided from its state, the clock and the settings alone.</summary>
internal enum ReconciliationStep
{
    /// <summary>A callback (or an event of another instance) already reported the call: done.</summary>
    Fulfilled,

    /// <summary>Just registered: wait <c>Grace</c> for the callback.</summary>
    AwaitCallback,

    /// <summary>Due: ask Marketing Cloud for the ResultMessage.</summary>
    Retrieve,

    /// <summary>No final result yet and still within <c>MaxAge</c>: wait <c>RetryInterval</c> and retrieve again.</summary>
    RetryLater,

    /// <summary>No final result by <c>MaxAge</c>: publish <c>callback.missing</c>.</summary>
    ReportMissing,
}
