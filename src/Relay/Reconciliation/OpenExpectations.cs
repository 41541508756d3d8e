using System.Collections.Concurrent;
using RabbitMQ.Client;

namespace Relay.Reconciliation;

/// <summary>
/// What reconciliation has open, for its gauges: the messages in the three expectations queues (as the
/// broker last said), and when each expectation this instance took and has not resolved was registered.
/// </summary>
internal sealed class OpenExpectations(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Source, string RequestId), DateTimeOffset> _waiting = new();
    private long _open;

    /// <summary>Expectations not yet resolved, as the queues last said; 0 while not connected.</summary>
    public long Open => Interlocked.Read(ref _open);

    public void Taken(string source, string requestId, DateTimeOffset registeredAt) => _waiting.TryAdd((source, requestId), registeredAt);

    public void Registered(string source, string requestId, DateTimeOffset registeredAt) => _waiting[(source, requestId)] = registeredAt;

    public void Resolved(string source, string requestId) => _waiting.TryRemove((source, requestId), out _);

    /// <summary>
    /// The session ended: what it took is no longer this instance's to report, since another may be the
    /// active consumer by the next session, and it reports the expectations it takes from then on.
    /// </summary>
    public void Clear()
    {
        _waiting.Clear();
        Interlocked.Exchange(ref _open, 0);
    }

    /// <summary>Asks the broker how many messages the expectations queues hold.</summary>
    public async Task RefreshAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        long open = 0;
        foreach (string queue in new[] { ExpectationQueues.Expectations(exchange), ExpectationQueues.Grace(exchange), ExpectationQueues.Retry(exchange) })
        {
            open += (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }

        Interlocked.Exchange(ref _open, open);
    }

    /// <summary>The age, in seconds, of the oldest expectation this session has taken and not resolved.</summary>
    public double OldestAge()
    {
        var now = time.GetUtcNow();
        var oldest = now;
        foreach (var registered in _waiting.Values)
        {
            if (registered < oldest)
            {
                oldest = registered;
            }
        }

        return (now - oldest).TotalSeconds;
    }
}
