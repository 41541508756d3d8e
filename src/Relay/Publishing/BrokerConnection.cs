using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Archive;

namespace Relay.Publishing;

/// <summary>
/// The publishing connection: one long-lived connection to the broker (a <see cref="BrokerSupervisor"/>),
/// with the topology declared and one publishing channel. Relay starts whether or not the broker is up;
/// while there is no session, publishers see <see cref="BrokerState.Connecting"/> and use the outbox.
/// </summary>
internal sealed partial class BrokerConnection : BackgroundService
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(200);

    private readonly RabbitMqOptions _settings;
    private readonly ArchiveOptions _archive;
    private readonly ILogger<BrokerConnection> _logger;
    private readonly PublishingMetrics _metrics;
    private readonly BrokerSupervisor _supervisor;
    private volatile BrokerSession? _session;

    public BrokerConnection(IOptions<RabbitMqOptions> options, IOptions<ArchiveOptions> archive, PublishingMetrics metrics,
        TimeProvider time, ILogger<BrokerConnection> logger)
    {
        _settings = options.Value;
        _archive = archive.Value;
        _logger = logger;
        _metrics = metrics;
        _supervisor = new BrokerSupervisor("publishing", "relay", _settings, FirstReconnectDelay, time, logger);
    }

    public BrokerState State => _session is null ? BrokerState.Connecting
        : _supervisor.BlockedReason is null ? BrokerState.Connected
        : BrokerState.Blocked;

    public string? BlockedReason => _supervisor.BlockedReason;

    /// <summary>
    /// The one question publishers ask: is there a session to publish on now (connected, the topology
    /// declared, not blocked)? <see cref="State"/> says the same for readiness, metrics and logs.
    /// </summary>
    public bool TryGetReady([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BrokerSession? session)
    {
        session = _session;
        if (session is null || _supervisor.BlockedReason is not null)
        {
            session = null;
            return false;
        }

        return true;
    }

    /// <summary>The node connected to, <c>host:port</c>, or null while (re)connecting.</summary>
    public string? Node => _session is null ? null : _supervisor.Node;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _supervisor.RunAsync(RunSessionAsync, stoppingToken);

    private async Task RunSessionAsync(BrokerLink link, CancellationToken stoppingToken)
    {
        try
        {
            await ExchangeTopology.DeclareAsync(link.Connection, _settings, _logger, stoppingToken);
            await ArchiveTopology.DeclareAsync(link.Connection, _settings.Exchange, _archive, _logger, stoppingToken);
            var channel = await link.OpenChannelAsync(
                new CreateChannelOptions(
                    publisherConfirmationsEnabled: true,
                    publisherConfirmationTrackingEnabled: true,
                    // No limiter: a limiter on a tracking channel stalled publishing under concurrency.
                    outstandingPublisherConfirmationsRateLimiter: null),
                stoppingToken);

            _session = new BrokerSession(channel);
            _metrics.Connected();
            Log.Connected(_logger, link.Node, _settings.Exchange, _settings.UnroutedName);
            await link.Closed.WaitAsync(stoppingToken);
        }
        finally
        {
            _session = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Connected to the broker at {Broker}; publishing to exchange '{Exchange}', unrouted events kept in '{Unrouted}'")]
        public static partial void Connected(ILogger logger, string broker, string exchange, string unrouted);
    }
}
