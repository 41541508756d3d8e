using System.Globalization;
using System.Net;

namespace Relay.Edge;

/// <summary>
/// Logs what the edge refuses without letting a flood of refusals become a flood of log lines: each
/// refusal at Debug, and at most one Information summary per <see cref="Interval"/> (how many, from how
/// many addresses, the busiest few). Refusals are also counted in <c>relay.edge.decisions</c>. The
/// addresses tracked per interval are bounded, so an attacker spreading over many addresses costs a
/// fixed amount of memory.
/// </summary>
internal sealed partial class EdgeRefusals(TimeProvider time, ILogger<EdgeRefusals> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private const int MaxTrackedAddresses = 4096;
    private const int Busiest = 3;

    private readonly Lock _lock = new();
    private Dictionary<IPAddress, long> _byAddress = [];
    private long _count;
    private long _untracked;

    /// <param name="address">The client (or peer) address refused; null when the connection had none.</param>
    /// <param name="stage"><c>connection</c> or <c>request</c>.</param>
    /// <param name="reason">A value of <c>relay.edge.reason</c>.</param>
    public void Refused(IPAddress? address, string stage, string reason)
    {
        Log.Refused(logger, address, stage, reason);
        var key = address ?? IPAddress.None;
        lock (_lock)
        {
            _count++;
            if (_byAddress.TryGetValue(key, out long seen))
            {
                _byAddress[key] = seen + 1;
            }
            else if (_byAddress.Count < MaxTrackedAddresses)
            {
                _byAddress[key] = 1;
            }
            else
            {
                _untracked++;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        using var stop = stoppingToken.Register(timer.Dispose);
        while (await timer.WaitForNextTickAsync(CancellationToken.None))
        {
            Summarize();
        }

        Summarize();
    }

    /// <summary>Logs and resets what was refused since the last summary; nothing when nothing was.</summary>
    public void Summarize()
    {
        Dictionary<IPAddress, long> byAddress;
        long count;
        long untracked;
        lock (_lock)
        {
            if (_count == 0)
            {
                return;
            }

            (byAddress, count, untracked) = (_byAddress, _count, _untracked);
            (_byAddress, _count, _untracked) = ([], 0, 0);
        }

        string busiest = string.Join(", ", byAddress.OrderByDescending(entry => entry.Value).Take(Busiest)
            .Select(entry => string.Create(CultureInfo.InvariantCulture, $"{entry.Key} ({entry.Value})")));
        string addresses = untracked > 0 ? $"more than {byAddress.Count}" : byAddress.Count.ToString(CultureInfo.InvariantCulture);
        Log.Summary(logger, count, addresses, (int)Interval.TotalSeconds, busiest);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Refused {ClientAddress} at the {Stage}: {Reason}")]
        public static partial void Refused(ILogger logger, IPAddress? clientAddress, string stage, string reason);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Refused {Count} connections and requests on Public in the last {Seconds} s from {Addresses} addresses; busiest: {Busiest}")]
        public static partial void Summary(ILogger logger, long count, string addresses, int seconds, string busiest);
    }
}
