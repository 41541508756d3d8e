using System.Diagnostics;
using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Publishing;

/// <summary>Publishing's instruments: each publish and its confirm, and the broker connection.</summary>
internal sealed class PublishingMetrics
{
    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _connections;
    private Func<Measurement<int>>? _connected;
    private Func<bool>? _blocked;

    public PublishingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _publishDuration = meter.CreateHistogram("relay.publish.duration", unit: "s",
            description: "Time from publishing an event to the broker's confirm (or failure).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge("relay.broker.connected", () => _connected?.Invoke() ?? new Measurement<int>(0),
            description: "1 while Relay holds a connection to the broker with the topology declared; server.address is the node.");
        meter.CreateObservableGauge("relay.broker.blocked", () => _blocked?.Invoke() == true ? 1 : 0,
            description: "1 while the broker blocks publishing (memory or disk alarm).");
        _connections = meter.CreateCounter<long>("relay.broker.connections", unit: "{connection}",
            description: "Connections opened to the broker; more than one means reconnections.");
    }

    /// <summary>Where the connection gauges read from: the broker connection.</summary>
    public void ObserveBroker(Func<Measurement<int>> connected, Func<bool> blocked)
    {
        _connected = connected;
        _blocked = blocked;
    }

    public void Connected() => _connections.Add(1);

    public void PublishDuration(TimeSpan duration, string outcome)
    {
        if (_publishDuration.Enabled)
        {
            var tags = new TagList { { RelayTelemetry.Attributes.PublishOutcome, outcome } };
            _publishDuration.Record(duration.TotalSeconds, tags);
        }
    }
}
