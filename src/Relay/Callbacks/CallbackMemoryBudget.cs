using Microsoft.Extensions.Options;
using Relay.Core.Memory;
using Relay.Delivery;

namespace Relay.Callbacks;

/// <summary>
/// <c>Relay:Callbacks:MaxBufferedBytes</c>: the bytes Relay holds for callbacks at once, their bodies while
/// they are read and normalized and their events while they wait for the broker or the disk, those the
/// outbox's forwarder reads back included (<see cref="IDeliveryMemory"/>). A callback
/// that would go past it waits for room before its body is read (the client's bytes wait in the socket
/// meanwhile), rather than being refused: Marketing Cloud never sends it again. Waiters are served in
/// order; a small one that fits may pass a large one that does not, since it is gone again in moments.
/// How long a callback waited is recorded (<c>relay.callbacks.buffer_wait.duration</c>). It tells
/// <see cref="LargeCallbackReclaimer"/> when large callbacks came and when nothing is held any more.
/// </summary>
internal sealed class CallbackMemoryBudget : IDeliveryMemory
{
    private readonly long _capacity;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly CallbackMetrics _metrics;
    private readonly LargeCallbackReclaimer _reclaimer;
    private readonly TimeProvider _time;
    private readonly Func<bool> _empty;
    private long _held;

    public CallbackMemoryBudget(IOptions<CallbackOptions> options, CallbackMetrics metrics, LargeCallbackReclaimer reclaimer, TimeProvider time)
    {
        _capacity = options.Value.MaxBufferedBytes;
        _reclaimer = reclaimer;
        _metrics = metrics;
        _time = time;
        _empty = () => Held == 0;
    }

    public long Capacity => _capacity;

    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Holds <paramref name="bytes"/> of the budget for a callback, waiting for room when there is none.</summary>
    public ValueTask<Reservation> ReserveAsync(long bytes, CancellationToken cancellationToken) =>
        Reserve(bytes, countWait: true, cancellationToken);

    /// <summary>
    /// The forwarder's batches from the outbox: held as a callback's bytes are, and waiting in the same
    /// line, but not counted as a callback's wait.
    /// </summary>
    async ValueTask<IDisposable> IDeliveryMemory.HoldAsync(long bytes, CancellationToken cancellationToken) =>
        await Reserve(bytes, countWait: false, cancellationToken);

    private ValueTask<Reservation> Reserve(long bytes, bool countWait, CancellationToken cancellationToken)
    {
        bytes = Math.Min(bytes, _capacity);
        _reclaimer.Reserved(bytes);
        Waiter waiter;
        lock (_lock)
        {
            if (Fits(bytes) && (_waiters.Count == 0 || IsSmall(bytes)))
            {
                _held += bytes;
                return ValueTask.FromResult(new Reservation(this, bytes));
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        if (countWait)
        {
            _metrics.BufferWait();
        }

        return WaitAsync(waiter, countWait, cancellationToken);
    }

    private async ValueTask<Reservation> WaitAsync(Waiter waiter, bool countWait, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(static state =>
        {
            var (budget, waiter) = ((CallbackMemoryBudget, Waiter))state!;
            budget.Abandon(waiter);
        }, (this, waiter));
        long started = _time.GetTimestamp();
        await waiter.Granted.Task;
        if (countWait)
        {
            _metrics.BufferWaited(_time.GetElapsedTime(started));
        }

        return new Reservation(this, waiter.Bytes);
    }

    private void Abandon(Waiter waiter)
    {
        List<Waiter>? granted;
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                // Granted already: the reservation is returned and disposed by its owner.
                return;
            }

            // A large waiter that gives up may have been all that held smaller ones back.
            _waiters.Remove(waiter.Node);
            granted = GrantWaiters();
        }

        waiter.Granted.TrySetCanceled();
        Complete(granted);
    }

    private void Change(long delta)
    {
        List<Waiter>? granted;
        bool emptied;
        lock (_lock)
        {
            // Growth is never waited for: the bytes exist already, and the next reservations wait instead.
            _held += delta;
            granted = delta < 0 ? GrantWaiters() : null;
            emptied = _held == 0;
        }

        Complete(granted);
        if (emptied)
        {
            _reclaimer.Emptied(_empty);
        }
    }

    private static void Complete(List<Waiter>? granted)
    {
        foreach (var waiter in granted ?? [])
        {
            waiter.Granted.TrySetResult();
        }
    }

    private List<Waiter>? GrantWaiters()
    {
        List<Waiter>? granted = null;
        bool headBlocked = false;
        for (var node = _waiters.First; node is not null;)
        {
            var next = node.Next;
            var waiter = node.Value;
            if (Fits(waiter.Bytes) && (!headBlocked || IsSmall(waiter.Bytes)))
            {
                _held += waiter.Bytes;
                _waiters.Remove(node);
                (granted ??= []).Add(waiter);
            }
            else
            {
                headBlocked = true;
            }

            node = next;
        }

        return granted;
    }

    private bool Fits(long bytes) => _held + bytes <= _capacity;

    private static bool IsSmall(long bytes) => bytes <= ByteBuffers.PooledMaxLength;

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Bytes held of the budget until disposed; <see cref="Resize"/> follows what the callback holds now.</summary>
    public sealed class Reservation(CallbackMemoryBudget budget, long bytes) : IDisposable
    {
        private long _bytes = bytes;

        public void Resize(long bytes)
        {
            long delta = bytes - _bytes;
            _bytes = bytes;
            if (delta != 0)
            {
                budget.Change(delta);
            }
        }

        public void Dispose() => Resize(0);
    }
}
