using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Publishing;

/// <summary>The broker connection's gauges, read from the connection: whether it is up, on which node, and blocked.</summary>
internal sealed class BrokerGauges
{
    public BrokerGauges(IMeterFactory meterFactory, BrokerConnection broker)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.broker.connected",
            () => broker.Node is { } node
                ? new Measurement<int>(broker.State == BrokerState.Connecting ? 0 : 1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.ServerAddress, node))
                : new Measurement<int>(0),
            description: "1 while Relay holds a connection to the broker with the topology declared; server.address is the node.");
        meter.CreateObservableGauge("relay.broker.blocked", () => broker.State == BrokerState.Blocked ? 1 : 0,
            description: "1 while the broker blocks publishing (memory or disk alarm).");
    }
}
