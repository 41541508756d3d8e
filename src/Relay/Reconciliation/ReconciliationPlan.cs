using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

/// <summary>The decisions of reconciliation, as plain functions of what is known, for the reconciler to carry out.</summary>
internal static class ReconciliationPlan
{
    /// <summary>The step for an expectation taken from the queue: fresh (<paramref name="state"/> null) or back from waiting.</summary>
    public static ReconciliationStep OnArrival(ExpectationState? state, bool seen) =>
        seen ? ReconciliationStep.Fulfilled
        : state is null ? ReconciliationStep.AwaitCallback
        : ReconciliationStep.Retrieve;

    /// <summary>The step after a retrieve that found no final result, or failed.</summary>
    public static ReconciliationStep AfterRetrieve(Expectation expectation, ExpectationState state, DateTimeOffset now, ReconciliationOptions options) =>
        Age(expectation, state, now) >= options.MaxAge ? ReconciliationStep.ReportMissing : ReconciliationStep.RetryLater;

    /// <summary>How old the call is: from when the producer made it, else from its registration.</summary>
    public static TimeSpan Age(Expectation expectation, ExpectationState state, DateTimeOffset now) =>
        now - (expectation.SubmittedAt is { } submitted && submitted < state.RegisteredAt ? submitted : state.RegisteredAt);

    /// <summary>
    /// How long to wait before the next retrieve: <c>RetryInterval</c>, or less when <c>MaxAge</c> comes
    /// first, so that the last retrieve falls just before the end of Marketing Cloud's retention.
    /// </summary>
    public static TimeSpan RetryDelay(Expectation expectation, ExpectationState state, DateTimeOffset now, ReconciliationOptions options)
    {
        var left = options.MaxAge - Age(expectation, state, now);
        return left < options.RetryInterval ? (left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)) : options.RetryInterval;
    }
}
