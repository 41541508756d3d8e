using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Relay.Infrastructure;

/// <summary>
/// A test clock that also tells when something starts waiting on it: a test advances time only once the
/// code under test is parked on the timer it means to fire, so what it measures is exact, not a race.
/// </summary>
internal sealed class ObservedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (10 seconds at most, in real time) until a timer due in <paramref name="dueTime"/> is created; skips others.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await _timers.Reader.ReadAsync(deadline.Token) != dueTime)
            {
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"nothing started waiting {dueTime} on the test clock");
        }
    }

    /// <summary>Waits for a timer due in <paramref name="dueTime"/>, then lets that much time pass.</summary>
    public async Task AdvancePastTimerAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }
}
