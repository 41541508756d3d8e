using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Outbox;

/// <summary>The outbox's counters, on the <c>Relay</c> meter: what goes through it (its gauges are <see cref="OutboxGauges"/>).</summary>
internal sealed class OutboxMetrics
{
    private readonly Counter<long> _written;
    private readonly Counter<long> _drained;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _commits;

    public OutboxMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _written = meter.CreateCounter<long>("relay.outbox.written", unit: "{event}",
            description: "Events written to the outbox (flushed to disk).");
        _commits = meter.CreateCounter<long>("relay.outbox.commits", unit: "{commit}",
            description: "Outbox commits (one fsync each); written / commits is the group-commit batch size.");
        _drained = meter.CreateCounter<long>("relay.outbox.drained", unit: "{event}",
            description: "Events forwarded from the outbox and confirmed by the broker.");
        _refused = meter.CreateCounter<long>("relay.outbox.refused", unit: "{event}",
            description: "Events the outbox could not take, by reason (full, unwritable).");
    }

    /// <summary>Reports the counters at zero from the start, so that dashboards show 0 rather than no data.</summary>
    public void Initialize()
    {
        _written.Add(0);
        _commits.Add(0);
        _drained.Add(0);
        _refused.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.OutboxReason, "full"));
        _refused.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.OutboxReason, "unwritable"));
    }

    public void Written(int count)
    {
        _written.Add(count);
        _commits.Add(1);
    }

    public void Drained(int count) => _drained.Add(count);

    public void Refused(AppendResult reason)
    {
        if (_refused.Enabled)
        {
            _refused.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.OutboxReason, reason == AppendResult.Full ? "full" : "unwritable"));
        }
    }
}
