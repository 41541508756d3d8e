using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Relay.Publishing;

/// <summary>
/// Supervises one long-lived connection to the broker, as MassTransit's connection supervisor does: it
/// connects (to any of <c>Relay:RabbitMq:Hosts</c>), hands the connection to a session, and when the
/// connection or any channel the session watches closes, or the session fails, closes what is left and
/// starts over from scratch after a backoff (doubling from the first delay up to
/// <c>Relay:RabbitMq:MaxReconnectDelay</c>; reset by a session that connected). The client's automatic
/// recovery is off on purpose: a publish during its recovery can fail in ways that are hard to tell apart,
/// and a recovery that never starts would leave Relay silently unready. Every connection Relay keeps (the
/// publishing one, reconciliation's) is one of these; the subcommands' short-lived ones are
/// <see cref="BrokerClient.ConnectAsync"/>.
/// </summary>
internal sealed partial class BrokerSupervisor
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private readonly string _name;
    private readonly string _clientName;
    private readonly RabbitMqOptions _settings;
    private readonly TimeSpan _firstDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile string? _blockedReason;
    private volatile string? _node;

    /// <param name="name">The connection's name in Relay's logs.</param>
    /// <param name="clientName">The connection's name in the broker's (its client-provided name), followed by <c>@host</c>.</param>
    public BrokerSupervisor(string name, string clientName, RabbitMqOptions settings, TimeSpan firstDelay, TimeProvider time, ILogger logger)
    {
        _name = name;
        _clientName = clientName;
        _settings = settings;
        _firstDelay = firstDelay;
        _time = time;
        _logger = logger;
    }

    /// <summary>The node connected to, <c>host:port</c>, or null while (re)connecting.</summary>
    public string? Node => _node;

    /// <summary>Why the broker blocks this connection's publishes (a resource alarm), or null.</summary>
    public string? BlockedReason => _blockedReason;

    /// <summary>
    /// Runs sessions until <paramref name="stoppingToken"/> ends: <paramref name="session"/> is given each
    /// new connection and returns when it is done with it, normally once <see cref="BrokerLink.Closed"/> completes.
    /// </summary>
    public async Task RunAsync(Func<BrokerLink, CancellationToken, Task> session, CancellationToken stoppingToken)
    {
        string address = _settings.Hosts.Count == 0
            ? BrokerAddress.Describe(_settings.Uri)
            : "any of " + string.Join(", ", _settings.Hosts);
        var delay = _firstDelay;
        int attempt = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            attempt++;
            try
            {
                if (await RunSessionAsync(session, stoppingToken))
                {
                    delay = _firstDelay;
                    attempt = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ConnectFailed(_logger, _name, address, attempt, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>One session; true when it connected, so that the next begins after the first delay again.</summary>
    private async Task<bool> RunSessionAsync(Func<BrokerLink, CancellationToken, Task> session, CancellationToken stoppingToken)
    {
        var factory = BrokerClient.Factory(_settings, $"{_clientName}@{Environment.MachineName}");
        factory.RequestedHeartbeat = Heartbeat;
        var connection = await factory.CreateConnectionAsync(BrokerHosts.Endpoints(_settings, factory), stoppingToken);
        string node = BrokerHosts.Describe(connection.Endpoint);
        var link = new BrokerLink(connection, node);
        try
        {
            connection.ConnectionShutdownAsync += (_, args) => link.Close(args);
            connection.ConnectionBlockedAsync += OnBlockedAsync;
            connection.ConnectionUnblockedAsync += OnUnblockedAsync;
            _blockedReason = null;
            _node = node;

            try
            {
                await session(link, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!link.Closed.IsCompleted)
                {
                    throw;
                }

                // The session failed because its connection or a channel closed under it: a lost connection.
            }

            if (link.Closed.IsCompleted)
            {
                Log.Lost(_logger, _name, node, await link.Closed);
            }

            return true;
        }
        finally
        {
            _node = null;
            _blockedReason = null;
            await CloseQuietlyAsync(connection);
        }
    }

    private Task OnBlockedAsync(object sender, ConnectionBlockedEventArgs args)
    {
        _blockedReason = args.Reason;
        Log.Blocked(_logger, _name, args.Reason);
        return Task.CompletedTask;
    }

    private Task OnUnblockedAsync(object sender, AsyncEventArgs args)
    {
        _blockedReason = null;
        Log.Unblocked(_logger, _name);
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CloseFailed(_logger, _name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The {Connection} connection to the broker at {Broker} failed (attempt {Attempt}): {ErrorType}: {ErrorMessage}; retrying")]
        public static partial void ConnectFailed(ILogger logger, string connection, string broker, int attempt, string errorType, string errorMessage);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The {Connection} connection to the broker at {Broker} was lost: {Reason}; reconnecting")]
        public static partial void Lost(ILogger logger, string connection, string broker, string reason);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The broker blocked the {Connection} connection's publishes: {Reason}")]
        public static partial void Blocked(ILogger logger, string connection, string reason);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "The broker unblocked the {Connection} connection's publishes")]
        public static partial void Unblocked(ILogger logger, string connection);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Closing the {Connection} connection failed")]
        public static partial void CloseFailed(ILogger logger, string connection, Exception exception);
    }
}
