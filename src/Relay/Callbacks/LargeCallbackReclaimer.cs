using Relay.Core.Memory;

namespace Relay.Callbacks;

/// <summary>
/// Gives back the memory of large callbacks once a burst of them is over. Their buffers are allocated for
/// one use each (see <see cref="ByteBuffers"/>) and are garbage the moment their callback is done, but the
/// GC keeps the space of large objects for reuse, so an idle Relay held on to its peak. A second after the
/// last large callback, with nothing held, a compacting full collection returns the free memory to the
/// system; once more a little over a minute later, when the shared array pool, from which the broker client
/// rents each message's frames, gives back the arrays it no longer uses. During a burst the GC paces itself,
/// <c>System.GC.ConserveMemory</c> (Relay.csproj) keeping its heap near what is live.
/// </summary>
internal sealed class LargeCallbackReclaimer : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PoolIdleTrim = TimeSpan.FromSeconds(70);

    private readonly Func<bool> _idle;
    private readonly ITimer _afterBurst;
    private readonly ITimer _afterPoolTrim;
    private int _large;

    /// <param name="idle">Whether nothing is held now.</param>
    public LargeCallbackReclaimer(Func<bool> idle, TimeProvider time)
    {
        _idle = idle;
        _afterBurst = time.CreateTimer(_ => AfterBurst(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _afterPoolTrim = time.CreateTimer(_ => CollectIfIdle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A callback of <paramref name="bytes"/> is about to be read.</summary>
    public void Reserved(long bytes)
    {
        if (bytes <= ByteBuffers.PooledMaxLength)
        {
            return;
        }

        Volatile.Write(ref _large, 1);
    }

    /// <summary>Nothing is held any more.</summary>
    public void Emptied()
    {
        if (Volatile.Read(ref _large) == 1)
        {
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

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }

    public void Dispose()
    {
        _afterBurst.Dispose();
        _afterPoolTrim.Dispose();
    }
}
