using System.Diagnostics;
using System.Globalization;

namespace Relay.Bench;

/// <summary>
/// Latencies of one run, printed in the line format bench/run.sh parses (the same as the wrk scripts'), with
/// this process's own CPU time and GC pauses over the run: the publisher's cost per message beside the
/// broker's, and whether the load generator's own pauses are in the percentiles it measures.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _microseconds = new(1 << 20);
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan _pausedAtStart = GC.GetTotalPauseDuration();
    private int _failed;

    public void Record(TimeSpan latency)
    {
        lock (_microseconds)
        {
            _microseconds.Add((long)latency.TotalMicroseconds);
        }
    }

    public void Fail() => Interlocked.Increment(ref _failed);

    public int Requests
    {
        get
        {
            lock (_microseconds)
            {
                return _microseconds.Count + Volatile.Read(ref _failed);
            }
        }
    }

    public string Line(string label, TimeSpan duration)
    {
        lock (_microseconds)
        {
            _microseconds.Sort();
            long Percentile(double p) => _microseconds.Count == 0 ? 0 : _microseconds[Math.Min(_microseconds.Count - 1, (int)(p / 100 * _microseconds.Count))];
            return string.Create(CultureInfo.InvariantCulture,
                $"{label} requests={_microseconds.Count + _failed} duration_us={(long)duration.TotalMicroseconds} non2xx={_failed} connect=0 read=0 write=0 timeout=0 " +
                $"p50_us={Percentile(50)} p90_us={Percentile(90)} p99_us={Percentile(99)} " +
                $"cpu_us={(long)(Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalMicroseconds} " +
                $"gc_pause_us={(long)(GC.GetTotalPauseDuration() - _pausedAtStart).TotalMicroseconds}");
        }
    }
}
