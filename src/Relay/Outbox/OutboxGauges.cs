using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Outbox;

/// <summary>The outbox's gauges, read from the outbox: what it holds, and whether it takes events.</summary>
internal sealed class OutboxGauges
{
    public OutboxGauges(IMeterFactory meterFactory, LocalOutbox outbox)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.outbox.depth", () => outbox.Depth, unit: "{event}",
            description: "Events waiting in the outbox.");
        meter.CreateObservableGauge("relay.outbox.bytes", () => outbox.Bytes, unit: "By",
            description: "Bytes of event bodies waiting in the outbox.");
        meter.CreateObservableGauge("relay.outbox.oldest_age", () => outbox.OldestAge.TotalSeconds, unit: "s",
            description: "Age of the oldest event waiting in the outbox; 0 when empty.");
        meter.CreateObservableGauge("relay.outbox.quarantined", () => outbox.Quarantined, unit: "{event}",
            description: "Events kept whole in quarantine, waiting for an operator.");
        meter.CreateObservableGauge("relay.outbox.available", () => outbox.Status == OutboxStatus.Available ? 1 : 0,
            description: "1 when the outbox can take events; 0 when it is full, its volume is, or it is unwritable.");
    }
}
