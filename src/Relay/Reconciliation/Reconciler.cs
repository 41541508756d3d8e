using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Publishing;

namespace Relay.Reconciliation;

/// <summary>
/// Sees every registered call through to exactly one event. Each instance keeps a connection of its own
/// (a <see cref="BrokerSupervisor"/>, apart from the publishing one so that a blocked publisher does not
/// stall consuming) with three channels: one through which <see cref="CallbackObserver"/> sees every
/// instance's events, one on which <see cref="ExpectationConsumer"/> takes <c>{Exchange}.expectations</c>
/// when RabbitMQ's single active consumer makes this instance the one that reconciles, and a confirming
/// one that expectations are registered and put to wait through. An expectation is acknowledged only
/// once its next step (<see cref="ExpectationSteps"/>) is safe with the broker, so a takeover loses none:
/// at worst the next instance retrieves one again, and the recovered event carries the same id.
/// </summary>
internal sealed partial class Reconciler : BackgroundService
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan GaugeRefresh = TimeSpan.FromSeconds(10);

    private readonly ReconciliationOptions _options;
    private readonly RabbitMqOptions _rabbit;
    private readonly MarketingCloudAccounts _accounts;
    private readonly CallbackObserver _observer;
    private readonly ExpectationConsumer _consumer;
    private readonly OpenExpectations _open;
    private readonly ReconciliationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<Reconciler> _logger;
    private readonly BrokerSupervisor _supervisor;
    private volatile IChannel? _publishChannel;

    public Reconciler(IOptions<ReconciliationOptions> options, IOptions<RabbitMqOptions> rabbit, MarketingCloudAccounts accounts,
        CallbackObserver observer, ExpectationConsumer consumer, OpenExpectations open, ReconciliationMetrics metrics, TimeProvider time,
        ILogger<Reconciler> logger)
    {
        _options = options.Value;
        _rabbit = rabbit.Value;
        _accounts = accounts;
        _observer = observer;
        _consumer = consumer;
        _open = open;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _supervisor = new BrokerSupervisor("reconciliation", "relay-reconciliation", _rabbit, FirstReconnectDelay, time, logger);
    }

    /// <summary>The confirming channel expectations are registered through, while connected.</summary>
    public IChannel? PublishChannel => _publishChannel;

    public string ExpectationsQueue => ExpectationQueues.Expectations(_rabbit.Exchange);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }

        _metrics.Initialize(_accounts.Sources);
        return _supervisor.RunAsync(RunSessionAsync, stoppingToken);
    }

    private async Task RunSessionAsync(BrokerLink link, CancellationToken stoppingToken)
    {
        await ExchangeTopology.DeclareAsync(link.Connection, _rabbit, _logger, stoppingToken);
        await using var publish = await link.OpenChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        await ExpectationQueues.DeclareAsync(publish, _rabbit.Exchange, stoppingToken);

        // Registrations can go through as soon as their queue exists.
        _publishChannel = publish;
        try
        {
            await using var observe = await link.OpenChannelAsync(null, stoppingToken);
            await _observer.StartAsync(observe, stoppingToken);

            await using var expectations = await link.OpenChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                    consumerDispatchConcurrency: (ushort)_options.Concurrency),
                stoppingToken);
            await expectations.BasicQosAsync(0, (ushort)(_options.Concurrency * 2), false, stoppingToken);
            await _consumer.StartAsync(expectations, publish, ExpectationsQueue, stoppingToken);
            Log.Started(_logger, link.Node, ExpectationsQueue);

            while (!link.Closed.IsCompleted)
            {
                await _open.RefreshAsync(publish, _rabbit.Exchange, stoppingToken);
                await Task.WhenAny(link.Closed, Task.Delay(GaugeRefresh, _time, stoppingToken));
                stoppingToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _publishChannel = null;
            _open.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Reconciliation connected to {Node}; taking expectations from '{Queue}' when this instance is its active consumer")]
        public static partial void Started(ILogger logger, string node, string queue);
    }
}
