using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Outbox;

/// <summary>The outbox's instruments, on the <c>Relay</c> meter: what it holds, what goes through it, and outbox mode.</summary>
internal sealed class OutboxMetrics
{
    private readonly Counter<long> _written;
    private readonly Counter<long> _drained;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _commits;
    private LocalOutbox? _outbox;
    private Func<bool>? _inOutboxMode;
    private Func<TimeSpan>? _timeInOutboxMode;

    public OutboxMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.outbox.depth", () => _outbox?.Depth ?? 0, unit: "{event}",
            description: "Events waiting in the outbox.");
        meter.CreateObservableGauge("relay.outbox.bytes", () => _outbox?.Bytes ?? 0, unit: "By",
            description: "Bytes of event bodies waiting in the outbox.");
        meter.CreateObservableGauge("relay.outbox.oldest_age", () => _outbox?.OldestAge.TotalSeconds ?? 0, unit: "s",
            description: "Age of the oldest event waiting in the outbox; 0 when empty.");
        meter.CreateObservableGauge("relay.outbox.quarantined", () => _outbox?.Quarantined ?? 0, unit: "{event}",
            description: "Events kept whole in quarantine, waiting for an operator.");
        meter.CreateObservableGauge("relay.outbox.available", () => _outbox?.Status == OutboxStatus.Available ? 1 : 0,
            description: "1 when the outbox can take events; 0 when it is full or unwritable.");
        meter.CreateObservableGauge("relay.outbox.mode", () => _inOutboxMode?.Invoke() == true ? 1 : 0,
            description: "1 while new events go to the outbox rather than straight to the broker.");
        meter.CreateObservableCounter("relay.outbox.mode.time", () => _timeInOutboxMode?.Invoke().TotalSeconds ?? 0, unit: "s",
            description: "Time spent in outbox mode since start.");
        _written = meter.CreateCounter<long>("relay.outbox.written", unit: "{event}",
            description: "Events written to the outbox (flushed to disk).");
        _commits = meter.CreateCounter<long>("relay.outbox.commits", unit: "{commit}",
            description: "Outbox commits (one fsync each); written / commits is the group-commit batch size.");
        _drained = meter.CreateCounter<long>("relay.outbox.drained", unit: "{event}",
            description: "Events forwarded from the outbox and confirmed by the broker.");
        _refused = meter.CreateCounter<long>("relay.outbox.refused", unit: "{event}",
            description: "Events the outbox could not take, by reason (full, unwritable).");
    }

    /// <summary>Where the outbox's gauges read from.</summary>
    public void ObserveOutbox(LocalOutbox outbox) => _outbox = outbox;

    /// <summary>Where the outbox-mode instruments read from: delivery, which decides the mode.</summary>
    public void ObserveMode(Func<bool> inOutboxMode, Func<TimeSpan> timeInOutboxMode)
    {
        _inOutboxMode = inOutboxMode;
        _timeInOutboxMode = timeInOutboxMode;
    }

    /// <summary>Reports the counters at zero from the start, so that dashboards show 0 rather than no data.</summary>
    public void Initialize()
    {
        _written.Add(0);
        _commits.Add(0);
        _drained.Add(0);
        _refused.Add(0, new KeyValuePair<string, object?>("relay.outbox.reason", "full"));
        _refused.Add(0, new KeyValuePair<string, object?>("relay.outbox.reason", "unwritable"));
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
            _refused.Add(1, new KeyValuePair<string, object?>("relay.outbox.reason", reason == AppendResult.Full ? "full" : "unwritable"));
        }
    }
}
