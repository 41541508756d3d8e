using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>Reconciliation's instruments, in one place (as ASP.NET Core's RateLimitingMetrics).</summary>
internal sealed class ReconciliationMetrics
{
    public const string Registered = "registered";
    public const string Fulfilled = "fulfilled";
    public const string Recovered = "recovered";
    public const string Missing = "missing";
    public const string Malformed = "malformed";
    public const string Final = "final";
    public const string NotFinal = "not_final";


    private readonly Counter<long> _expectations;
    private readonly Histogram<double> _retrieveDuration;
    private readonly Counter<long> _retrieveFailures;
    private readonly Counter<long> _tokens;

    public ReconciliationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _expectations = meter.CreateCounter<long>("relay.reconciliation.expectations", unit: "{expectation}",
            description: "Expectations by outcome: registered, fulfilled (by a callback), recovered (from a ResultMessage), missing, malformed.");
        _retrieveDuration = meter.CreateHistogram("relay.reconciliation.retrieve.duration", unit: "s",
            description: "ResultMessage retrieves, token included, by outcome (final, not_final, or error.type).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _retrieveFailures = meter.CreateCounter<long>("relay.reconciliation.retrieve.failures", unit: "{retrieve}",
            description: "Failed retrieves and token calls by error.type (timeout, network, server_error, refused, unauthorized, login_failed, fault, malformed, status_error).");
        _tokens = meter.CreateCounter<long>("relay.reconciliation.tokens", unit: "{token}",
            description: "Access tokens fetched from Marketing Cloud's token endpoint.");
    }

    /// <summary>
    /// The expectations counter at zero for each source that can be reconciled, from the start: an alert on
    /// its increase (missing calls) sees the first one, which it would not on a series that began at 1.
    /// </summary>
    public void Initialize(IEnumerable<string> sources)
    {
        foreach (string source in sources)
        {
            foreach (string outcome in (string[])[Registered, Fulfilled, Recovered, Missing])
            {
                _expectations.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ReconciliationOutcome, outcome), new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));
            }
        }
    }

    public void Expectation(string outcome, string? source) => _expectations.Add(1,
        new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ReconciliationOutcome, outcome), new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));

    public void Retrieved(string source, string result, TimeSpan duration) => _retrieveDuration.Record(duration.TotalSeconds,
        new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ReconciliationOutcome, result), new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));

    public void RetrieveFailed(string source, string kind, TimeSpan duration)
    {
        _retrieveDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ReconciliationOutcome, kind), new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));
        _retrieveFailures.Add(1,
            new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ErrorType, kind), new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));
    }

    public void TokenFetched(string source) => _tokens.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.Source, source));
}
