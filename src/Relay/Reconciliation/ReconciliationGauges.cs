using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>Reconciliation's gauges, read from what it has open: what is open, and how old the oldest it took is.</summary>
internal sealed class ReconciliationGauges
{
    public ReconciliationGauges(IMeterFactory meterFactory, OpenExpectations open)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.reconciliation.open", () => open.Open, unit: "{expectation}",
            description: "Expectations not yet fulfilled, recovered or reported missing (the expectations queues' messages).");
        meter.CreateObservableGauge("relay.reconciliation.oldest_open.age", open.OldestAge, unit: "s",
            description: "Age of the oldest open expectation this instance is reconciling.");
    }
}
