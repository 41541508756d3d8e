using System.Collections.Concurrent;
using Relay.Core.Events;
using Relay.Publishing;

namespace Relay.Delivery;

/// <summary>
/// A broker whose every answer the test decides: whether it is ready, how large an event may be, and what
/// each publish comes to (confirmed unless <see cref="Answer"/> says otherwise). It keeps every publish, in
/// order, with the test clock's time.
/// </summary>
internal sealed class ScriptedPublisher(TimeProvider time) : IEventPublisher
{
    private readonly ConcurrentQueue<Publish> _published = new();
    private readonly SemaphoreSlim _publishes = new(0);

    private volatile BrokerState _state = BrokerState.Connected;
    private TaskCompletionSource? _stalled;

    public BrokerState State
    {
        get => _state;
        set => _state = value;
    }

    public long MaxMessageBytes { get; set; } = long.MaxValue;

    /// <summary>What a publish comes to; by default every publish is confirmed.</summary>
    public Func<CallbackEvent, bool, PublishOutcome> Answer { get; set; } = (_, _) => PublishOutcome.Confirmed;

    public IReadOnlyList<Publish> Published => [.. _published];

    /// <summary>Publishes made from now on wait for their answer until <see cref="Resume"/>, as a slow broker's confirms do.</summary>
    public void Stall() => Volatile.Write(ref _stalled, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Answers the publishes that <see cref="Stall"/> held, and every later one at once again.</summary>
    public void Resume() => Interlocked.Exchange(ref _stalled, null)?.TrySetResult();

    public bool IsReady(out BrokerState state)
    {
        state = State;
        return state == BrokerState.Connected;
    }

    public bool IsTooLarge(CallbackEvent callbackEvent) => callbackEvent.Body.Length > MaxMessageBytes;

    public Task<PublishOutcome> PublishAsync(CallbackEvent callbackEvent, bool fromStore = false)
    {
        var outcome = IsTooLarge(callbackEvent) ? PublishOutcome.TooLarge
            : State != BrokerState.Connected ? PublishOutcome.NotConnected
            : Answer(callbackEvent, fromStore);
        _published.Enqueue(new Publish(callbackEvent, fromStore, outcome, time.GetUtcNow()));
        _publishes.Release();
        return Volatile.Read(ref _stalled) is { } stalled ? AnswerOnceResumed(stalled.Task, outcome) : Task.FromResult(outcome);

        static async Task<PublishOutcome> AnswerOnceResumed(Task resumed, PublishOutcome outcome)
        {
            await resumed;
            return outcome;
        }
    }

    /// <summary>Waits (10 seconds at most, in real time) until <paramref name="count"/> publishes were made in all.</summary>
    public async Task<IReadOnlyList<Publish>> WaitForAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_published.Count < count)
        {
            try
            {
                await _publishes.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_published.Count} publishes, not {count}");
            }
        }

        return Published;
    }

    internal sealed record Publish(CallbackEvent Event, bool FromStore, PublishOutcome Outcome, DateTimeOffset At);
}
