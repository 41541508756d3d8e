using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Relay.Archive;
using Relay.Core.Events;
using Relay.Publishing;

namespace Relay.Replay;

/// <summary>
/// Reads the archive stream from the point <c>--since</c> asks for to where it ended when the replay
/// started, filters each event exactly (the stream's timestamp offsets are coarse), and republishes the
/// matching ones. RabbitMQ 3.10 tells an AMQP 0-9-1 consumer neither a stream's last offset nor that it
/// has read it, so the replay appends a marker of its own to the stream as it starts and reads up to it,
/// however long the broker takes: a broker that stalls mid-stream delays the replay, never cuts it short.
/// A replay whose channel or connection is lost before the marker fails.
/// </summary>
internal sealed partial class ArchiveReplayer(IOptions<RabbitMqOptions> options, TimeProvider time, ILogger<ArchiveReplayer> logger)
{
    private const ushort NotFound = 404;
    private const ushort Prefetch = 500;

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

        await MarkEndAsync(connection, stream, replayId, cancellationToken);
        await using var publisher = request.DryRun || request.Target is null
            ? null
            : await ReplayPublisher.CreateAsync(connection, request.Target, summary, replayId, cancellationToken);
        var archive = Channel.CreateBounded<ArchivedMessage>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        // Cancelled before the reading channel closes: its consumer may be waiting for room in the buffer.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = await StartReadingAsync(connection, stream, request.Since, archive.Writer, stopReading.Token);
        try
        {
            await ReadAsync(request, replayId, archive.Reader, publisher, summary, progress, cancellationToken);
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

    private async Task ReadAsync(ReplayRequest request, string replayId, ChannelReader<ArchivedMessage> archive,
        ReplayPublisher? publisher, ReplaySummary summary, Action<ReplaySummary>? progress, CancellationToken cancellationToken)
    {
        long lastProgress = time.GetTimestamp();
        while (true)
        {
            ArchivedMessage message;
            try
            {
                message = await archive.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException ex)
            {
                // Completed only when the archive's channel closed: the marker was still ahead.
                throw ex.InnerException as ReplayException
                    ?? new ReplayException("the archive's channel closed before the replay reached where the stream ended when it started", ex);
            }

            if (message.IsEndMarker(out string marker))
            {
                if (marker == replayId)
                {
                    return;
                }

                // Another run's marker: not an event.
                continue;
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

    /// <summary>
    /// Appends this run's end marker to the stream (through the default exchange, so no consumer's queue
    /// gets it) and waits for the broker's confirm: everything archived before it is what the run reads.
    /// </summary>
    private static async Task MarkEndAsync(IConnection connection, string stream, string replayId, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?> { [ArchivedMessage.EndOfReplayHeader] = replayId },
        };
        try
        {
            await channel.BasicPublishAsync(string.Empty, stream, mandatory: true, properties, ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
        catch (PublishException ex)
        {
            throw new ReplayException($"the broker did not take the replay's end marker into '{stream}' ({(ex.IsReturn ? "returned" : "nacked")})", ex);
        }

        await channel.CloseAsync(cancellationToken);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Replay {ReplayId} started by {User} on {Host} from '{Stream}': {Request}")]
        public static partial void Started(ILogger logger, string replayId, string user, string host, string stream, string request);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Replay {ReplayId} by {User} from '{Stream}' to {Target} finished: read {Read}, matched {Matched}, published {Published}, returned {Returned} (dry run: {DryRun})")]
        public static partial void Finished(ILogger logger, string replayId, string user, string stream, string target, long read, long matched, long published,
            long returned, bool dryRun);
    }
}
