using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Ens;

/// <summary>ENS's counters: the posts answered by outcome, the events by category, the verifications by outcome.</summary>
internal sealed class EnsMetrics
{
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _events;
    private readonly Counter<long> _verifications;
    private readonly Histogram<double> _duration;

    public EnsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _notifications = meter.CreateCounter<long>("relay.ens.notifications", unit: "{post}",
            description: "ENS posts (batches and verifications) answered, by outcome.");
        _events = meter.CreateCounter<long>("relay.ens.events", unit: "{event}",
            description: "ENS events accepted (confirmed by the broker or in the outbox), by category (the documented ones, else other).");
        _verifications = meter.CreateCounter<long>("relay.ens.verifications", unit: "{verification}",
            description: "Callback verifications Relay sent to ens-verify, by outcome.");
        _duration = meter.CreateHistogram("relay.ens.batch.duration", unit: "s",
            description: "From an accepted batch's arrival to its answer; ENS waits 3 s.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10] });
    }

    public void Initialize()
    {
        foreach (string outcome in (ReadOnlySpan<string>)[EnsOutcomes.Accepted, EnsOutcomes.Verification, EnsOutcomes.SignatureWrong,
            EnsOutcomes.SignatureMissing, EnsOutcomes.Malformed])
        {
            _notifications.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EnsOutcome, outcome));
        }
    }

    public void Notification(string outcome) =>
        _notifications.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EnsOutcome, outcome));

    public void Event(string? category) =>
        _events.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EnsCategory, EnsCategories.TagOf(category)));

    public void Verification(string outcome) =>
        _verifications.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EnsVerificationOutcome, outcome));

    public void Answered(TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds);
}
