using Microsoft.Extensions.Options;
using Relay.Core.Memory;

namespace Relay.Callbacks;

/// <summary>
/// Gives back the memory of large callbacks once a burst of them is over, when
/// <c>Relay:Callbacks:ReclaimAfterLargeCallbacks</c> is on (the default). Their buffers are allocated for
/// one use each (see <see cref="ByteBuffers"/>) and are garbage the moment their callback is done, but the
/// GC keeps the space of large objects for reuse, so an idle Relay held on to its peak. A second after the
/// last large callback, with nothing held, a compacting full collection returns the free memory to the
/// system; once more a little over a minute later, when the shared array pool, from which the broker client
/// rents each message's frames, gives back the arrays it no longer uses. Measured in
/// docs/development/benchmarks.md (what it gives back, and what it costs: a blocking collection of a heap
/// that is nearly all free). During a burst the GC paces itself, <c>System.GC.ConserveMemory</c>
/// (Relay.csproj) keeping its heap near what is live.
/// </summary>
internal sealed class LargeCallbackReclaimer : IDisposable
{
    internal static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan PoolIdleTrim = TimeSpan.FromSeconds(70);

    private readonly bool _enabled;
    private readonly Action _collect;
    private readonly ITimer _afterBurst;
    private readonly ITimer _afterPoolTrim;
    private Func<bool> _idle = static () => true;
    private int _large;

    public LargeCallbackReclaimer(IOptions<CallbackOptions> options, TimeProvider time)
        : this(options.Value.ReclaimAfterLargeCallbacks, time,
            static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true))
    {
    }

    /// <param name="collect">The collection to run; the tests count it rather than run it.</param>
    internal LargeCallbackReclaimer(bool enabled, TimeProvider time, Action collect)
    {
        _enabled = enabled;
        _collect = collect;
        _afterBurst = time.CreateTimer(_ => AfterBurst(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _afterPoolTrim = time.CreateTimer(_ => CollectIfIdle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A callback of <paramref name="bytes"/> is about to be read.</summary>
    public void Reserved(long bytes)
    {
        if (_enabled && bytes > ByteBuffers.PooledMaxLength)
        {
            Volatile.Write(ref _large, 1);
        }
    }

    /// <summary>Nothing is held any more; <paramref name="stillIdle"/> says, when the time comes, whether that is still so.</summary>
    public void Emptied(Func<bool> stillIdle)
    {
        if (Volatile.Read(ref _large) == 1)
        {
            _idle = stillIdle;
            _afterBurst.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }

    private void AfterBurst()
    {
        if (CollectIfIdle())
        {
            Volatile.Write(ref _large, 0);
            _afterPoolTrim.Change(PoolIdleTrim, Timeout.InfiniteTimeSpan);
        }
    }

    private bool CollectIfIdle()
    {
        // A new burst has begun: its own end comes back here.
        if (!_idle())
        {
            return false;
        }

        _collect();
        return true;
    }

    public void Dispose()
    {
        _afterBurst.Dispose();
        _afterPoolTrim.Dispose();
    }
}
