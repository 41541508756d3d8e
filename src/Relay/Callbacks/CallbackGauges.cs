using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>The callbacks' gauge, read from the memory budget: what callbacks hold at once.</summary>
internal sealed class CallbackGauges
{
    public CallbackGauges(IMeterFactory meterFactory, CallbackMemoryBudget budget)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.callbacks.buffered", () => budget.Held, unit: "By",
            description: "Bytes of callbacks held at once (bodies, the events made of them, and those the outbox's forwarder is publishing), out of Relay:Callbacks:MaxBufferedBytes.");
    }
}
