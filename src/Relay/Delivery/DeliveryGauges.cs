using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Delivery;

/// <summary>Outbox mode's instruments, read from delivery, which decides the mode.</summary>
internal sealed class DeliveryGauges
{
    public DeliveryGauges(IMeterFactory meterFactory, EventDelivery delivery)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.outbox.mode", () => delivery.InOutboxMode ? 1 : 0,
            description: "1 while new events go to the outbox rather than straight to the broker.");
        meter.CreateObservableCounter("relay.outbox.mode.time", () => delivery.TimeInOutboxMode.TotalSeconds, unit: "s",
            description: "Time spent in outbox mode since start.");
    }
}
