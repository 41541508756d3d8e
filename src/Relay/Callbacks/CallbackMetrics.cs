using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>The callback endpoint's instruments: its answers and the memory its callbacks hold.</summary>
internal sealed class CallbackMetrics
{
    private readonly Counter<long> _callbacks;
    private readonly Counter<long> _bufferWaits;
    private Func<long>? _buffered;

    public CallbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _callbacks = meter.CreateCounter<long>("relay.callbacks", unit: "{callback}",
            description: "Callback requests answered, by outcome.");
        meter.CreateObservableGauge("relay.callbacks.buffered", () => _buffered?.Invoke() ?? 0, unit: "By",
            description: "Bytes of callbacks held at once (bodies and the events made of them), out of Relay:Callbacks:MaxBufferedBytes.");
        _bufferWaits = meter.CreateCounter<long>("relay.callbacks.buffer_waits", unit: "{callback}",
            description: "Callbacks that waited for room in Relay:Callbacks:MaxBufferedBytes before their body was read.");
    }

    /// <summary>Where <c>relay.callbacks.buffered</c> reads from: the memory budget.</summary>
    public void ObserveBuffered(Func<long> held) => _buffered = held;

    public void Callback(string outcome)
    {
        if (_callbacks.Enabled)
        {
            _callbacks.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.CallbackOutcome, outcome));
        }
    }

    public void BufferWait() => _bufferWaits.Add(1);
}
