using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relay.Replay;

/// <summary>
/// Republishes archived events to the target with publisher confirms, several in flight at once and in
/// archive order: the original body, <c>message-id</c> and properties, plus <c>relay-replayed: true</c> and
/// <c>relay-replay-id</c>, the run's id.
/// </summary>
internal sealed class ReplayPublisher : IAsyncDisposable
{
    private const int MaxInFlight = 256;
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);

    private readonly IChannel _channel;
    private readonly ReplayTarget _target;
    private readonly ReplaySummary _summary;
    private readonly string _replayId;
    private readonly Queue<Task> _inFlight = new();

    private ReplayPublisher(IChannel channel, ReplayTarget target, ReplaySummary summary, string replayId)
    {
        _replayId = replayId;
        _channel = channel;
        _target = target;
        _summary = summary;
    }

    public static async Task<ReplayPublisher> CreateAsync(IConnection connection, ReplayTarget target, ReplaySummary summary,
        string replayId, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        return new ReplayPublisher(channel, target, summary, replayId);
    }

    public async Task PublishAsync(ArchivedMessage message, CancellationToken cancellationToken)
    {
        if (_inFlight.Count >= MaxInFlight)
        {
            await _inFlight.Dequeue();
        }

        var original = message.Properties;
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = original.ContentType,
            MessageId = original.MessageId,
            Timestamp = original.Timestamp,
            Type = original.Type,
            AppId = original.AppId,
            Headers = Headers(original.Headers, _replayId),
        };

        _inFlight.Enqueue(ConfirmAsync(message, properties, cancellationToken));
    }

    /// <summary>Waits for every confirm still outstanding.</summary>
    public async Task CompleteAsync()
    {
        while (_inFlight.Count > 0)
        {
            await _inFlight.Dequeue();
        }
    }

    private async Task ConfirmAsync(ArchivedMessage message, BasicProperties properties, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConfirmTimeout);
        try
        {
            await _channel.BasicPublishAsync(_target.Exchange, _target.RoutingKeyFor(message.RoutingKey), mandatory: true, properties,
                message.Body, deadline.Token);
            _summary.CountPublished();
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            _summary.CountReturned();
        }
        catch (PublishException)
        {
            throw new ReplayException($"the broker refused (nacked) event {properties.MessageId} at {_target}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReplayException($"the broker did not confirm event {properties.MessageId} within {ConfirmTimeout.TotalSeconds} s");
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            throw new ReplayException($"lost the broker while publishing to {_target}: {ex.Message}", ex);
        }
    }

    private static Dictionary<string, object?> Headers(IDictionary<string, object?>? original, string replayId)
    {
        var headers = new Dictionary<string, object?>((original?.Count ?? 0) + 2);
        if (original is not null)
        {
            foreach (var (key, value) in original)
            {
                if (key != ArchivedMessage.StreamOffsetHeader)
                {
                    headers[key] = value;
                }
            }
        }

        headers[ArchivedMessage.ReplayedHeader] = true;
        headers[ArchivedMessage.ReplayIdHeader] = replayId;
        return headers;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.CloseAsync();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The replay has already failed for this reason and says so.
        }

        await _channel.DisposeAsync();
    }
}
