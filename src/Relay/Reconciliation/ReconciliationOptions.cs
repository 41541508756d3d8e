namespace Relay.Reconciliation;

/// <summary>
/// <c>Relay:Reconciliation</c>: seeing every registered call through to exactly one event, from its
/// callback, from Marketing Cloud's ResultMessage, or as <c>callback.missing</c>.
/// </summary>
internal sealed class ReconciliationOptions
{
    public const string Section = "Relay:Reconciliation";

    /// <summary>Declare the expectations queues, take expectations and reconcile them; off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>How long a callback may take after its expectation is registered before Relay retrieves the result.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Between retrieves while Marketing Cloud has no final result yet, or after a failed retrieve.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the call (or its registration) Relay keeps trying: Marketing Cloud keeps results 30 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Expectations reconciled at once (retrieves in flight) by the active instance.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How long one call to Marketing Cloud (token or one page of a retrieve) may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most expectations one <c>POST /expectations</c> may carry.</summary>
    public const int MaxPerRequest = 1000;
}
