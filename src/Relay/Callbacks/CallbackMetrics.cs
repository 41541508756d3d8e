using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>The callback endpoint's counters: its answers and the waits for memory (what callbacks hold is <see cref="CallbackGauges"/>).</summary>
internal sealed class CallbackMetrics
{
    private readonly Counter<long> _callbacks;
    private readonly Counter<long> _bufferWaits;
    private readonly Histogram<double> _bufferWaitDuration;

    public CallbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _callbacks = meter.CreateCounter<long>("relay.callbacks", unit: "{callback}",
            description: "Callback requests answered, by outcome.");
        _bufferWaits = meter.CreateCounter<long>("relay.callbacks.buffer_waits", unit: "{callback}",
            description: "Callbacks that waited for room in Relay:Callbacks:MaxBufferedBytes before their body was read.");
        _bufferWaitDuration = meter.CreateHistogram("relay.callbacks.buffer_wait.duration", unit: "s",
            description: "How long a callback waited for room in Relay:Callbacks:MaxBufferedBytes before its body was read (those that waited).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    public void Callback(string outcome)
    {
        if (_callbacks.Enabled)
        {
            _callbacks.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.CallbackOutcome, outcome));
        }
    }

    public void BufferWait() => _bufferWaits.Add(1);

    public void BufferWaited(TimeSpan waited) => _bufferWaitDuration.Record(waited.TotalSeconds);
}
