using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Relay.Archive;
using Relay.Events;
using Relay.Publishing;

namespace Relay.Replay;

/// <summary>
/// Reads the archive stream from the point <c>--since</c> asks for to where it stood when the replay
/// started, filters each event exactly (the stream's timestamp offsets are coarse), and republishes the
/// matching ones. RabbitMQ 3.10 has no stream filtering and no end-of-stream signal over AMQP 0-9-1: the
/// replay has caught up when it reads a copy it published itself (a replay into the exchange the archive
/// is bound to), an event received after it started, or nothing more for a moment.
/// </summary>
internal sealed partial class ArchiveReplayer(IOptions<RabbitMqOptions> options, TimeProvider time, ILogger<ArchiveReplayer> logger)
{
    private const ushort NotFound = 404;
    private const ushort Prefetch = 500;

    /// <summary>How long the first event may take: the broker finds the offset before it delivers.</summary>
    private static readonly TimeSpan FirstEventWait = TimeSpan.FromSeconds(5);

    /// <summary>No event for this long, with credit to spare, means the end of the stream.</summary>
    private static readonly TimeSpan CaughtUpAfter = TimeSpan.FromSeconds(1);

    /// <summary>A timestamp offset starts at a chunk boundary near it: begin a little earlier and filter.</summary>
    private static readonly TimeSpan SeekMargin = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public async Task<ReplaySummary> RunAsync(ReplayRequest request, Action<ReplaySummary>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        string stream = ArchiveOptions.StreamOf(settings.Exchange);
        string broker = BrokerAddress.Describe(settings.Uri);
        var summary = new ReplaySummary();
        string user = Environment.UserName;
        string host = Environment.MachineName;
        string described = request.Describe();
        string replayId = Guid.NewGuid().ToString();
        Log.Started(logger, replayId, user, host, stream, described);

        await using var connection = await ConnectAsync(settings, cancellationToken);
        await EnsureAsync(connection, channel => channel.QueueDeclarePassiveAsync(stream, cancellationToken),
            $"the archive stream '{stream}' does not exist on {broker}: Relay declares it for Relay:RabbitMq:Exchange " +
            $"'{settings.Exchange}' while Relay:Archive:Enabled is true");
        if (request.Target is { IsQueue: true } queue)
        {
            await EnsureAsync(connection, channel => channel.QueueDeclarePassiveAsync(queue.Name, cancellationToken),
                $"--to-queue: there is no queue '{queue.Name}' on {broker}");
        }
        else if (request.Target is { } exchange)
        {
            await EnsureAsync(connection, channel => channel.ExchangeDeclarePassiveAsync(exchange.Name, cancellationToken),
                $"--to-exchange: there is no exchange '{exchange.Name}' on {broker}");
        }

        DateTimeOffset startedAt = time.GetUtcNow();
        await using var publisher = request.DryRun || request.Target is null
            ? null
            : await ReplayPublisher.CreateAsync(connection, request.Target, summary, replayId, cancellationToken);
        var archive = Channel.CreateBounded<ArchivedMessage>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        // Cancelled before the reading channel closes: its consumer may be waiting for room in the buffer.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = await StartReadingAsync(connection, stream, request.Since, archive.Writer, stopReading.Token);
        try
        {
            await ReadAsync(request, replayId, startedAt, archive.Reader, publisher, summary, progress, cancellationToken);
        }
        finally
        {
            await stopReading.CancelAsync();
            await reading.DisposeAsync();
        }

        if (publisher is not null)
        {
            await publisher.CompleteAsync();
        }

        progress?.Invoke(summary);
        string target = request.Target?.ToString() ?? "nowhere";
        Log.Finished(logger, replayId, user, stream, target, summary.Read, summary.Matched, summary.Published, summary.Returned, request.DryRun);
        return summary;
    }

    private async Task ReadAsync(ReplayRequest request, string replayId, DateTimeOffset startedAt, ChannelReader<ArchivedMessage> archive,
        ReplayPublisher? publisher, ReplaySummary summary, Action<ReplaySummary>? progress, CancellationToken cancellationToken)
    {
        long lastProgress = time.GetTimestamp();
        var wait = FirstEventWait;
        while (await NextAsync(archive, wait, cancellationToken) is { } message)
        {
            wait = CaughtUpAfter;
            if (message.IsCopyOf(replayId))
            {
                break;
            }

            if (message.IsReplayed)
            {
                summary.Read++;
                summary.EarlierReplays++;
                continue;
            }

            if (!CloudEventEnvelope.TryRead(message.Body, out var envelope))
            {
                summary.Read++;
                summary.Unreadable++;
                continue;
            }

            if (envelope.Time > startedAt)
            {
                break;
            }

            summary.Read++;
            if (request.Matches(envelope.Time, envelope.Subject, message.RoutingKey))
            {
                summary.Matched++;
                if (publisher is not null)
                {
                    await publisher.PublishAsync(message, cancellationToken);
                }
            }

            if (progress is not null && time.GetElapsedTime(lastProgress) >= ProgressInterval)
            {
                progress(summary);
                lastProgress = time.GetTimestamp();
            }
        }

    }

    private static async Task<IConnection> ConnectAsync(RabbitMqOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            return await BrokerClient.ConnectAsync(settings, "replay", cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            throw new ReplayException(ex.Message, ex);
        }
    }

    /// <summary>Runs a passive declaration on a channel of its own, which the broker closes when the thing is missing.</summary>
    private static async Task EnsureAsync(IConnection connection, Func<IChannel, Task> declare, string missing)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await declare(channel);
            await channel.CloseAsync();
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == NotFound)
        {
            throw new ReplayException(missing, ex);
        }
    }

    private static async Task<IChannel> StartReadingAsync(IConnection connection, string stream, DateTimeOffset? since,
        ChannelWriter<ArchivedMessage> archive, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // A stream consumer needs a prefetch limit and manual acknowledgements; an ack only grants credit.
        await channel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
        channel.ChannelShutdownAsync += (_, args) =>
        {
            if (args.Initiator != ShutdownInitiator.Application)
            {
                archive.TryComplete(new ReplayException($"the broker closed the archive's channel: {args.ReplyCode} {args.ReplyText}"));
            }

            return Task.CompletedTask;
        };

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            // The body's memory is the client's again once this handler returns.
            await archive.WriteAsync(new ArchivedMessage(delivery.RoutingKey, delivery.BasicProperties, delivery.Body.ToArray()), cancellationToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        };

        object offset = since is { } from ? new AmqpTimestamp((from - SeekMargin).ToUnixTimeSeconds()) : "first";
        await channel.BasicConsumeAsync(stream, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = offset }, consumer, cancellationToken);
        return channel;
    }

    /// <summary>The next archived event, or null once none has come for <paramref name="wait"/>.</summary>
    private static async Task<ArchivedMessage?> NextAsync(ChannelReader<ArchivedMessage> archive, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (archive.TryRead(out var message))
        {
            return message;
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(wait);
        try
        {
            while (await archive.WaitToReadAsync(idle.Token))
            {
                if (archive.TryRead(out message))
                {
                    return message;
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Replay {ReplayId} started by {User} on {Host} from '{Stream}': {Request}")]
        public static partial void Started(ILogger logger, string replayId, string user, string host, string stream, string request);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Replay {ReplayId} by {User} from '{Stream}' to {Target} finished: read {Read}, matched {Matched}, published {Published}, returned {Returned} (dry run: {DryRun})")]
        public static partial void Finished(ILogger logger, string replayId, string user, string stream, string target, long read, long matched, long published,
            long returned, bool dryRun);
    }
}
