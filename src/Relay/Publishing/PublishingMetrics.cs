using System.Diagnostics;
using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Publishing;

/// <summary>Publishing's instruments: each publish and its confirm, and the connections opened (the connection's gauges are <see cref="BrokerGauges"/>).</summary>
internal sealed class PublishingMetrics
{
    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _connections;

    public PublishingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _publishDuration = meter.CreateHistogram("relay.publish.duration", unit: "s",
            description: "Time from publishing an event to the broker's confirm (or failure).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _connections = meter.CreateCounter<long>("relay.broker.connections", unit: "{connection}",
            description: "Connections opened to the broker; more than one means reconnections.");
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
