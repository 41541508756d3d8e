using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Archive;

namespace Relay.Publishing;

/// <summary>
/// Keeps one long-lived connection to the broker, with the topology declared and one publishing channel.
/// Relay starts whether or not the broker is up; this loop connects, and when the connection or channel
/// closes for any reason it starts over with a fresh connection after a backoff. The client's automatic
/// recovery is off on purpose: a publish during its recovery can fail in ways that are hard to tell
/// apart, and a recovery that never starts would leave Relay silently unready. Here every failure
/// ends a session and the next one begins from scratch.
/// </summary>
internal sealed partial class BrokerConnection : BackgroundService
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(200);

    private readonly IOptions<RabbitMqOptions> _options;
    private readonly IOptions<ArchiveOptions> _archive;
    private readonly ILogger<BrokerConnection> _logger;
    private readonly PublishingMetrics _metrics;
    private volatile BrokerSession? _session;
    private volatile string? _blockedReason;
    private volatile string? _node;

    public BrokerConnection(IOptions<RabbitMqOptions> options, IOptions<ArchiveOptions> archive, PublishingMetrics metrics,
        ILogger<BrokerConnection> logger)
    {
        _options = options;
        _archive = archive;
        _logger = logger;
        _metrics = metrics;
    }

    public BrokerState State => _session is null ? BrokerState.Connecting
        : _blockedReason is null ? BrokerState.Connected
        : BrokerState.Blocked;

    public string? BlockedReason => _blockedReason;

    /// <summary>
    /// The one question publishers ask: is there a session to publish on now (connected, the topology
    /// declared, not blocked)? <see cref="State"/> says the same for readiness, metrics and logs.
    /// </summary>
    public bool TryGetReady([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BrokerSession? session)
    {
        session = _session;
        if (session is null || _blockedReason is not null)
        {
            session = null;
            return false;
        }

        return true;
    }

    /// <summary>The node connected to, <c>host:port</c>, or null while (re)connecting.</summary>
    public string? Node => _node;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = _options.Value;
        string address = settings.Hosts.Count == 0
            ? BrokerAddress.Describe(settings.Uri)
            : "any of " + string.Join(", ", settings.Hosts);
        var delay = FirstReconnectDelay;
        int attempt = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            attempt++;
            try
            {
                await RunSessionAsync(settings, address, stoppingToken);
                delay = FirstReconnectDelay;
                attempt = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.ConnectFailed(_logger, address, attempt, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxReconnectDelay.Ticks));
        }
    }

    private async Task RunSessionAsync(RabbitMqOptions settings, string address, CancellationToken stoppingToken)
    {
        var factory = BrokerClient.Factory(settings, $"relay@{Environment.MachineName}");
        factory.RequestedHeartbeat = TimeSpan.FromSeconds(15);

        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = await factory.CreateConnectionAsync(BrokerHosts.Endpoints(settings, factory), stoppingToken);
        string node = BrokerHosts.Describe(connection.Endpoint);
        try
        {
            connection.ConnectionShutdownAsync += (_, args) => Closed(closed, args);
            connection.ConnectionBlockedAsync += OnBlockedAsync;
            connection.ConnectionUnblockedAsync += OnUnblockedAsync;

            await ExchangeTopology.DeclareAsync(connection, settings, _logger, stoppingToken);
            await ArchiveTopology.DeclareAsync(connection, settings.Exchange, _archive.Value, _logger, stoppingToken);
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(
                    publisherConfirmationsEnabled: true,
                    publisherConfirmationTrackingEnabled: true,
                    // No limiter: a limiter on a tracking channel stalled publishing under concurrency.
                    outstandingPublisherConfirmationsRateLimiter: null),
                stoppingToken);
            channel.ChannelShutdownAsync += (_, args) => Closed(closed, args);

            _blockedReason = null;
            _node = node;
            _session = new BrokerSession(channel);
            _metrics.Connected();
            Log.Connected(_logger, node, settings.Exchange, settings.UnroutedName);

            string reason = await closed.Task.WaitAsync(stoppingToken);
            Log.Lost(_logger, node, reason);
        }
        finally
        {
            _session = null;
            _node = null;
            _blockedReason = null;
            await CloseQuietlyAsync(connection);
        }
    }

    private static Task Closed(TaskCompletionSource<string> closed, ShutdownEventArgs args)
    {
        closed.TrySetResult($"{args.Initiator} {args.ReplyCode} {args.ReplyText}");
        return Task.CompletedTask;
    }

    private Task OnBlockedAsync(object sender, ConnectionBlockedEventArgs args)
    {
        _blockedReason = args.Reason;
        Log.Blocked(_logger, args.Reason);
        return Task.CompletedTask;
    }

    private Task OnUnblockedAsync(object sender, AsyncEventArgs args)
    {
        _blockedReason = null;
        Log.Unblocked(_logger);
        return Task.CompletedTask;
    }

    private async Task CloseQuietlyAsync(IConnection connection)
    {
        try
        {
            if (connection.IsOpen)
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }

            await connection.DisposeAsync();
        }
        catch (Exception ex)
        {
            Log.CloseFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Connected to the broker at {Broker}; publishing to exchange '{Exchange}', unrouted events kept in '{Unrouted}'")]
        public static partial void Connected(ILogger logger, string broker, string exchange, string unrouted);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Cannot connect to the broker at {Broker} (attempt {Attempt}): {ErrorType}: {ErrorMessage}")]
        public static partial void ConnectFailed(ILogger logger, string broker, int attempt, string errorType, string errorMessage);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Lost the broker connection to {Broker}: {Reason}; reconnecting")]
        public static partial void Lost(ILogger logger, string broker, string reason);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The broker blocked publishing: {Reason}")]
        public static partial void Blocked(ILogger logger, string reason);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "The broker unblocked publishing")]
        public static partial void Unblocked(ILogger logger);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Closing the broker connection failed")]
        public static partial void CloseFailed(ILogger logger, Exception exception);
    }
}
