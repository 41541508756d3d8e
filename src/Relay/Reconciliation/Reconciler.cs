using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Callbacks;
using Relay.Core.Events;
using Relay.Core.Reconciliation;
using Relay.Delivery;
using Relay.Publishing;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>
/// Sees every registered call through to exactly one event. Each instance keeps a connection of its own
/// with two consumers: one on a private queue bound to the exchange, through which it sees every
/// instance's events and remembers the calls they report (<see cref="SeenCallbacks"/>), and one on
/// <c>{Exchange}.expectations</c>, where RabbitMQ's single active consumer lets one instance at a time
/// reconcile. An expectation is acknowledged only once its next step is safe with the broker (moved to a
/// waiting queue, or its event confirmed or in the outbox), so a takeover loses none: at worst the next
/// instance retrieves one again, and the recovered event carries the same id.
/// </summary>
internal sealed partial class Reconciler : BackgroundService
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan GaugeRefresh = TimeSpan.FromSeconds(10);
    private const string OutcomeTag = RelayTelemetry.Attributes.ReconciliationOutcome;

    private readonly ReconciliationOptions _options;
    private readonly RabbitMqOptions _rabbit;
    private readonly CallbackSources _sources;
    private readonly MarketingCloudAccounts _accounts;
    private readonly EventDelivery _delivery;
    private readonly ReconciliationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<Reconciler> _logger;
    private readonly ConcurrentDictionary<(string Source, string RequestId), DateTimeOffset> _waiting = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _backoffUntil = new(StringComparer.OrdinalIgnoreCase);
    private volatile IChannel? _publishChannel;
    private long _open;

    public Reconciler(IOptions<ReconciliationOptions> options, IOptions<RabbitMqOptions> rabbit, CallbackSources sources,
        MarketingCloudAccounts accounts, EventDelivery delivery, ReconciliationMetrics metrics, TimeProvider time, ILogger<Reconciler> logger)
    {
        _options = options.Value;
        _rabbit = rabbit.Value;
        _sources = sources;
        _accounts = accounts;
        _delivery = delivery;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        var window = _options.Grace > _options.RetryInterval ? _options.Grace : _options.RetryInterval;
        Seen = new SeenCallbacks(window * 2, time);
    }

    public SeenCallbacks Seen { get; }

    /// <summary>The channel expectations are registered through, while connected.</summary>
    public IChannel? PublishChannel => _publishChannel;

    public string ExpectationsQueue => ExpectationQueues.Expectations(_rabbit.Exchange);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        _metrics.Initialize(_accounts.Sources);

        var delay = FirstReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(stoppingToken);
                delay = FirstReconnectDelay;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.SessionFailed(_logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _rabbit.MaxReconnectDelay.Ticks));
        }
    }

    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        var factory = BrokerClient.Factory(_rabbit, $"relay-reconciliation@{Environment.MachineName}");
        factory.RequestedHeartbeat = TimeSpan.FromSeconds(15);
        await using var connection = await factory.CreateConnectionAsync(BrokerHosts.Endpoints(_rabbit, factory), stoppingToken);
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) => Closed(closed, args);

        await ExchangeTopology.DeclareAsync(connection, _rabbit, _logger, stoppingToken);
        await using var publish = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        publish.ChannelShutdownAsync += (_, args) => Closed(closed, args);
        await ExpectationQueues.DeclareAsync(publish, _rabbit.Exchange, stoppingToken);

        // Registrations can go through as soon as their queue exists.
        _publishChannel = publish;

        try
        {
            await using var observe = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
            observe.ChannelShutdownAsync += (_, args) => Closed(closed, args);
            await ObserveEventsAsync(observe, stoppingToken);

            await using var expectations = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                    consumerDispatchConcurrency: (ushort)_options.Concurrency),
                stoppingToken);
            expectations.ChannelShutdownAsync += (_, args) => Closed(closed, args);
            await expectations.BasicQosAsync(0, (ushort)(_options.Concurrency * 2), false, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(expectations);
            consumer.ReceivedAsync += (_, delivery) => OnExpectationAsync(expectations, publish, delivery, stoppingToken);

            await expectations.BasicConsumeAsync(ExpectationsQueue, autoAck: false, consumer, stoppingToken);
            string node = BrokerHosts.Describe(connection.Endpoint);
            Log.Started(_logger, node, ExpectationsQueue);
            while (!closed.Task.IsCompleted)
            {
                await RefreshOpenAsync(publish, stoppingToken);
                await Task.WhenAny(closed.Task, Task.Delay(GaugeRefresh, _time, stoppingToken));
                stoppingToken.ThrowIfCancellationRequested();
            }

            Log.Lost(_logger, await closed.Task);
        }
        finally
        {
            _publishChannel = null;

            // What this session took is no longer this instance's to report: another may be the active
            // consumer by the next session, and it reports the expectations it takes from then on.
            _waiting.Clear();
            Interlocked.Exchange(ref _open, 0);
        }
    }

    private async Task ObserveEventsAsync(IChannel channel, CancellationToken stoppingToken)
    {
        // This instance's own queue: gone with its connection, never a backlog for anyone else.
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-max-length"] = 1_000_000 }, cancellationToken: stoppingToken);
        await channel.QueueBindAsync(queue.QueueName, _rabbit.Exchange, "callback.*", cancellationToken: stoppingToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Observe(delivery.RoutingKey, delivery.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, stoppingToken);
    }

    /// <summary>Remembers the call an event reports; an invalid callback reports none that can be trusted.</summary>
    internal void Observe(string routingKey, ReadOnlySpan<byte> body)
    {
        if (routingKey == RoutingKeys.Invalid || !CloudEventEnvelope.TryRead(body, out var envelope)
            || envelope.Source is not { } source || (envelope.RequestId ?? envelope.Subject) is not { } requestId)
        {
            return;
        }

        Seen.Add(source, requestId, envelope.TraceParent);
    }

    private async Task OnExpectationAsync(IChannel channel, IChannel publish, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        try
        {
            if (ExpectationState.DeliveryCount(delivery.BasicProperties) >= MaxDeliveries)
            {
                GiveUp(delivery);
            }
            else
            {
                await ReconcileAsync(publish, delivery, stoppingToken);
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Relay is stopping: unacknowledged, the expectation goes to the next active instance.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unacknowledged, it returns to the queue when the channel closes; this session ends and the next begins afresh.
            Log.ReconcileFailed(_logger, ex.GetType().Name, ex.Message);
            try
            {
                await channel.CloseAsync(CancellationToken.None);
            }
            catch (Exception closing) when (closing is not OutOfMemoryException)
            {
                Log.CloseFailed(_logger, closing);
            }
        }
    }

    /// <summary>
    /// An expectation that has failed to be reconciled this many times (each failure ends a session) is
    /// set aside with an error rather than blocking the others forever.
    /// </summary>
    private const int MaxDeliveries = 20;

    private void GiveUp(BasicDeliverEventArgs delivery)
    {
        ExpectationJson.TryRead(delivery.Body.Span, out var expectation, out _);
        if (expectation is not null)
        {
            _waiting.TryRemove((expectation.Source, expectation.RequestId), out _);
        }

        _metrics.Expectation(ReconciliationMetrics.Malformed, expectation?.Source);
        Log.GaveUp(_logger, expectation?.RequestId ?? "(unreadable)", expectation?.Source ?? "(unreadable)", MaxDeliveries);
    }

    /// <summary>
    /// Takes the expectation's next step; when this returns, that step is safe with the broker (moved to a
    /// waiting queue, or its event confirmed or in the outbox) and the delivery may be acknowledged.
    /// </summary>
    private async Task ReconcileAsync(IChannel publish, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        if (!ExpectationJson.TryRead(delivery.Body.Span, out var expectation, out string? problem))
        {
            Malformed(problem, null);
            return;
        }

        if (!TryResolve(expectation, out var source, out var account, out string? unusable))
        {
            Malformed(unusable, expectation.Source);
            return;
        }

        var now = _time.GetUtcNow();
        var state = ExpectationState.Read(delivery.BasicProperties);
        var key = (source.Name, expectation.RequestId);
        bool seen = Seen.TryGet(source.EventSource, expectation.RequestId, out var callbackTrace);
        switch (ReconciliationPlan.OnArrival(state, seen))
        {
            case ReconciliationStep.Fulfilled:
                using (var span = StartReconcileSpan(expectation, callbackTrace))
                {
                    span?.SetTag(OutcomeTag, ReconciliationMetrics.Fulfilled);
                }

                _waiting.TryRemove(key, out _);
                _metrics.Expectation(ReconciliationMetrics.Fulfilled, source.Name);
                Log.Fulfilled(_logger, source.Name, expectation.RequestId);
                return;

            case ReconciliationStep.AwaitCallback:
                var registered = new ExpectationState(now, 0, null);
                await WaitAsync(publish, ExpectationQueues.Grace(_rabbit.Exchange), delivery.Body, registered, _options.Grace, stoppingToken);
                _waiting[key] = now;
                _metrics.Expectation(ReconciliationMetrics.Registered, source.Name);
                return;
        }

        var due = state!;
        _waiting.TryAdd(key, due.RegisteredAt);
        if (_backoffUntil.TryGetValue(source.Name, out var until) && now < until)
        {
            // The source's last retrieve failed: this one waits too, rather than piling onto a failing API.
            await WaitAsync(publish, ExpectationQueues.Retry(_rabbit.Exchange), delivery.Body, due,
                ReconciliationPlan.RetryDelay(expectation, due, now, _options), stoppingToken);
            return;
        }

        await RetrieveAsync(publish, delivery.Body, expectation, source, account, due, stoppingToken);
    }

    /// <summary>
    /// The source an expectation is of and the account its ResultMessage is retrieved with, or why it cannot
    /// be reconciled: the one check, for the queue and for POST /expectations.
    /// </summary>
    public bool TryResolve(Expectation expectation, [NotNullWhen(true)] out CallbackSource? source,
        [NotNullWhen(true)] out MarketingCloudAccount? account, [NotNullWhen(false)] out string? problem)
    {
        account = null;
        problem = !_sources.ByName.TryGetValue(expectation.Source, out source)
            ? $"source '{expectation.Source}' is not configured (Relay:Callbacks:Sources)"
            : !_accounts.TryGet(source.Name, out account)
                ? $"source '{source.Name}' has no Relay:Callbacks:Sources:{source.Name}:MarketingCloud credentials to retrieve with"
                : null;
        return problem is null;
    }

    /// <summary>Retrieves a due expectation's ResultMessage and publishes what it settles: recovered, missing, or nothing yet.</summary>
    private async Task RetrieveAsync(IChannel publish, ReadOnlyMemory<byte> body, Expectation expectation, CallbackSource source,
        MarketingCloudAccount account, ExpectationState due, CancellationToken stoppingToken)
    {
        using var activity = StartReconcileSpan(expectation);
        ResultMessage? result = null;
        bool failed = false;
        try
        {
            result = await account.RetrieveAsync(expectation.RequestId, stoppingToken);
            _backoffUntil.TryRemove(source.Name, out _);
        }
        catch (RetrieveFailedException ex)
        {
            failed = true;
            Backoff(source.Name, _time.GetUtcNow());
            Log.RetrieveFailed(_logger, source.Name, expectation.RequestId, ex.Kind, ex.Message);
        }

        var now = _time.GetUtcNow();
        var after = due with { Retrieves = due.Retrieves + 1, LastRetrieveAt = now };
        var settled = result is not null
            ? source.Events.CreateRecovered(result, now, activity?.Id, activity?.TraceStateString)
            : ReconciliationPlan.AfterRetrieve(expectation, after, now, _options) == ReconciliationStep.ReportMissing
                ? source.Events.CreateMissing(expectation, after.RegisteredAt, after.Retrieves, after.LastRetrieveAt, now, activity?.Id)
                : null;
        string retry = ExpectationQueues.Retry(_rabbit.Exchange);
        if (settled is null)
        {
            activity?.SetTag(OutcomeTag, failed ? "retrieve_failed" : ReconciliationMetrics.NotFinal);
            await WaitAsync(publish, retry, body, after, ReconciliationPlan.RetryDelay(expectation, after, now, _options), stoppingToken);
            return;
        }

        if (!await DeliverAsync(settled, stoppingToken))
        {
            await WaitAsync(publish, retry, body, after, _options.RetryInterval, stoppingToken);
            return;
        }

        string outcome = result is not null ? ReconciliationMetrics.Recovered : ReconciliationMetrics.Missing;
        _waiting.TryRemove((source.Name, expectation.RequestId), out _);
        _metrics.Expectation(outcome, source.Name);
        activity?.SetTag(OutcomeTag, outcome);
        Seen.Add(source.EventSource, expectation.RequestId, activity?.Id);
        if (result is not null)
        {
            Log.Recovered(_logger, source.Name, expectation.RequestId, settled.Id, settled.RoutingKey, expectation.SuccessHasNoCallback);
        }
        else
        {
            Log.Missing(_logger, source.Name, expectation.RequestId, after.Retrieves, failed);
        }
    }

    private void Malformed(string problem, string? source)
    {
        _metrics.Expectation(ReconciliationMetrics.Malformed, source);
        Log.Malformed(_logger, problem);
    }

    private void Backoff(string source, DateTimeOffset now)
    {
        // Doubles from 2 s while failures continue, up to RetryInterval; one success clears it.
        _backoffUntil.AddOrUpdate(source, now + TimeSpan.FromSeconds(2), (_, previous) =>
        {
            var last = previous - now;
            var doubled = last > TimeSpan.Zero ? last * 2 : TimeSpan.FromSeconds(2);
            return now + (doubled > _options.RetryInterval ? _options.RetryInterval : doubled);
        });
    }

    private async Task<bool> DeliverAsync(CallbackEvent callbackEvent, CancellationToken cancellationToken)
    {
        var result = await _delivery.DeliverAsync(callbackEvent);
        if (result is DeliveryResult.Confirmed or DeliveryResult.Stored)
        {
            return true;
        }

        // Neither the broker nor the outbox took it: the expectation waits to be retrieved again.
        Log.NotDelivered(_logger, callbackEvent.Id, result.ToString());
        await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
        return false;
    }

    private static async Task WaitAsync(IChannel publish, string queue, ReadOnlyMemory<byte> body, ExpectationState state, TimeSpan delay,
        CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = "application/json",
            Expiration = ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Headers = state.Headers(),
        };
        await publish.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body.ToArray(), cancellationToken);
    }

    /// <summary>
    /// The <c>reconcile</c> span of an expectation, in a trace of its own, linked to the producer's trace and,
    /// for a call fulfilled by its callback, to the callback's.
    /// </summary>
    private static Activity? StartReconcileSpan(Expectation expectation, ActivityContext callbackTrace = default)
    {
        var links = new List<ActivityLink>(2);
        if (expectation.TraceParent is { } producer && ActivityContext.TryParse(producer, null, out var context))
        {
            links.Add(new ActivityLink(context));
        }

        if (callbackTrace != default)
        {
            links.Add(new ActivityLink(callbackTrace));
        }

        var activity = RelayTelemetry.ActivitySource.StartActivity("reconcile", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag(RelayTelemetry.Attributes.RequestId, RelayTelemetry.Capped(expectation.RequestId));
        activity?.SetTag(RelayTelemetry.Attributes.Source, expectation.Source);
        return activity;
    }

    private async Task RefreshOpenAsync(IChannel channel, CancellationToken cancellationToken)
    {
        long open = 0;
        foreach (string queue in new[] { ExpectationsQueue, ExpectationQueues.Grace(_rabbit.Exchange), ExpectationQueues.Retry(_rabbit.Exchange) })
        {
            open += (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }

        Interlocked.Exchange(ref _open, open);
    }

    /// <summary>Expectations not yet resolved, as the queues last said; 0 while not connected.</summary>
    public long Open => Interlocked.Read(ref _open);

    /// <summary>The age, in seconds, of the oldest expectation this session has taken and not resolved.</summary>
    public double OldestWaitingAge()
    {
        var now = _time.GetUtcNow();
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

    private static Task Closed(TaskCompletionSource<string> closed, ShutdownEventArgs args)
    {
        closed.TrySetResult($"{args.Initiator} {args.ReplyCode} {args.ReplyText}");
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Reconciliation connected to {Node}; taking expectations from '{Queue}' when this instance is its active consumer")]
        public static partial void Started(ILogger logger, string node, string queue);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Reconciliation lost its broker connection ({Reason}); reconnecting")]
        public static partial void Lost(ILogger logger, string reason);

        [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Reconciliation's broker session failed ({ErrorType}: {Reason}); starting over")]
        public static partial void SessionFailed(ILogger logger, string errorType, string reason);

        [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "A malformed expectation was dropped: {Problem}")]
        public static partial void Malformed(ILogger logger, string problem);

        [LoggerMessage(EventId = 9005, Level = LogLevel.Debug, Message = "Expectation {RequestId} of source {Source} fulfilled by its callback")]
        public static partial void Fulfilled(ILogger logger, string source, string requestId);

        [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "Recovered call {RequestId} of source {Source} from its ResultMessage as event {EventId} ({RoutingKey}); no callback expected for a success: {SuccessHasNoCallback}")]
        public static partial void Recovered(ILogger logger, string source, string requestId, string eventId, string routingKey, bool successHasNoCallback);

        [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Call {RequestId} of source {Source} is missing: no callback and no final ResultMessage after {Retrieves} retrieves (last failed: {LastFailed})")]
        public static partial void Missing(ILogger logger, string source, string requestId, int retrieves, bool lastFailed);

        [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "Retrieve of call {RequestId} of source {Source} failed ({Kind}): {Reason}; retried later")]
        public static partial void RetrieveFailed(ILogger logger, string source, string requestId, string kind, string reason);

        [LoggerMessage(EventId = 9009, Level = LogLevel.Error, Message = "Reconciling an expectation failed ({ErrorType}: {Reason}); it returns to the queue and reconciliation reconnects")]
        public static partial void ReconcileFailed(ILogger logger, string errorType, string reason);

        [LoggerMessage(EventId = 9011, Level = LogLevel.Error, Message = "Expectation {RequestId} of source {Source} failed to be reconciled {Deliveries} times; it is dropped")]
        public static partial void GaveUp(ILogger logger, string requestId, string source, int deliveries);

        [LoggerMessage(EventId = 9012, Level = LogLevel.Debug, Message = "Closing the expectations channel after a failure failed too; the session ends anyway")]
        public static partial void CloseFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Event {EventId} of reconciliation was not delivered ({Result}); its expectation is tried again")]
        public static partial void NotDelivered(ILogger logger, string eventId, string result);
    }
}
