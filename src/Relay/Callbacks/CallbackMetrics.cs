using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>The callback endpoint's counters: its answers and the waits for memory (what callbacks hold is <see cref="CallbackGauges"/>).</summary>
internal sealed class CallbackMetrics
{
    private readonly Counter<long> _callbacks;
    private readonly Counter<long> _bufferWaits;

    public CallbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _callbacks = meter.CreateCounter<long>("relay.callbacks", unit: "{callback}",
            description: "Callback requests answered, by outcome.");
        _bufferWaits = meter.CreateCounter<long>("relay.callbacks.buffer_waits", unit: "{callback}",
            description: "Callbacks that waited for room in Relay:Callbacks:MaxBufferedBytes before their body was read.");
    }

    public void Callback(string outcome)
    {
        if (_callbacks.Enabled)
        {
            _callbacks.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.CallbackOutcome, outcome));
        }
    }

    public void BufferWait() => _bufferWaits.Add(1);
}
