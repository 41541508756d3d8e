using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Callbacks;
using Relay.Core.Events;
using Relay.Core.Reconciliation;
using Relay.Delivery;
using Relay.MarketingCloud;
using Relay.Publishing;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>
/// Takes an expectation's next step, as <see cref="ReconciliationPlan"/> decides it: fulfilled by a callback
/// seen, put to wait in <c>.grace</c> or <c>.retry</c>, or its ResultMessage retrieved and what that
/// settles (recovered, missing) delivered. When <see cref="TakeAsync"/> returns, the step is safe with the
/// broker (the expectation moved to a waiting queue, or its event confirmed or in the outbox).
/// </summary>
internal sealed partial class ExpectationSteps
{
    private const string OutcomeTag = RelayTelemetry.Attributes.ReconciliationOutcome;

    private readonly ReconciliationOptions _options;
    private readonly string _exchange;
    private readonly ExpectationResolver _resolver;
    private readonly CallbackObserver _observer;
    private readonly OpenExpectations _open;
    private readonly EventDelivery _delivery;
    private readonly ReconciliationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ExpectationSteps> _logger;
    private readonly RetrieveBackoff _backoff;

    public ExpectationSteps(IOptions<ReconciliationOptions> options, IOptions<RabbitMqOptions> rabbit, ExpectationResolver resolver,
        CallbackObserver observer, OpenExpectations open, EventDelivery delivery, ReconciliationMetrics metrics, TimeProvider time,
        ILogger<ExpectationSteps> logger)
    {
        _options = options.Value;
        _exchange = rabbit.Value.Exchange;
        _resolver = resolver;
        _observer = observer;
        _open = open;
        _delivery = delivery;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _backoff = new RetrieveBackoff(_options.RetryInterval);
    }

    /// <param name="publish">A confirming channel to put the expectation to wait through.</param>
    public async Task TakeAsync(IChannel publish, ReadOnlyMemory<byte> body, IReadOnlyBasicProperties properties, CancellationToken stoppingToken)
    {
        if (!ExpectationJson.TryRead(body.Span, out var expectation, out string? problem))
        {
            Malformed(problem, null);
            return;
        }

        if (!_resolver.TryResolve(expectation, out var source, out var account, out string? unusable))
        {
            Malformed(unusable, expectation.Source);
            return;
        }

        var now = _time.GetUtcNow();
        var state = ExpectationState.Read(properties);
        bool seen = _observer.Seen.TryGet(source.EventSource, expectation.RequestId, out var callbackTrace);
        switch (ReconciliationPlan.OnArrival(state, seen))
        {
            case ReconciliationStep.Fulfilled:
                using (var span = ReconcileSpan.Start(expectation, callbackTrace))
                {
                    span?.SetTag(OutcomeTag, ReconciliationMetrics.Fulfilled);
                }

                _open.Resolved(source.Name, expectation.RequestId);
                _metrics.Expectation(ReconciliationMetrics.Fulfilled, source.Name);
                Log.Fulfilled(_logger, source.Name, expectation.RequestId);
                return;

            case ReconciliationStep.AwaitCallback:
                var registered = new ExpectationState(now, 0, null);
                await ExpectationQueues.WaitAsync(publish, ExpectationQueues.Grace(_exchange), body, registered, _options.Grace, stoppingToken);
                _open.Registered(source.Name, expectation.RequestId, now);
                _metrics.Expectation(ReconciliationMetrics.Registered, source.Name);
                return;
        }

        var due = state!;
        _open.Taken(source.Name, expectation.RequestId, due.RegisteredAt);
        if (_backoff.IsBackingOff(source.Name, now))
        {
            // The source's last retrieve failed: this one waits too, rather than piling onto a failing API.
            await ExpectationQueues.WaitAsync(publish, ExpectationQueues.Retry(_exchange), body, due,
                ReconciliationPlan.RetryDelay(expectation, due, now, _options), stoppingToken);
            return;
        }

        await RetrieveAsync(publish, body, expectation, source, account, due, stoppingToken);
    }

    /// <summary>Retrieves a due expectation's ResultMessage and publishes what it settles: recovered, missing, or nothing yet.</summary>
    private async Task RetrieveAsync(IChannel publish, ReadOnlyMemory<byte> body, Expectation expectation, CallbackSource source,
        MarketingCloudAccount account, ExpectationState due, CancellationToken stoppingToken)
    {
        using var activity = ReconcileSpan.Start(expectation);
        ResultMessage? result = null;
        bool failed = false;
        try
        {
            result = await account.RetrieveAsync(expectation.RequestId, stoppingToken);
            _backoff.Succeeded(source.Name);
        }
        catch (MarketingCloudException ex)
        {
            failed = true;
            _backoff.Failed(source.Name, _time.GetUtcNow());
            Log.RetrieveFailed(_logger, source.Name, expectation.RequestId, ex.Kind, ex.Message);
        }

        var now = _time.GetUtcNow();
        var after = due with { Retrieves = due.Retrieves + 1, LastRetrieveAt = now };
        var settled = result is not null
            ? source.Events.CreateRecovered(result, now, activity?.Id, activity?.TraceStateString)
            : ReconciliationPlan.AfterRetrieve(expectation, after, now, _options) == ReconciliationStep.ReportMissing
                ? source.Events.CreateMissing(expectation, after.RegisteredAt, after.Retrieves, after.LastRetrieveAt, now, activity?.Id)
                : null;
        string retry = ExpectationQueues.Retry(_exchange);
        if (settled is null)
        {
            activity?.SetTag(OutcomeTag, failed ? "retrieve_failed" : ReconciliationMetrics.NotFinal);
            await ExpectationQueues.WaitAsync(publish, retry, body, after, ReconciliationPlan.RetryDelay(expectation, after, now, _options), stoppingToken);
            return;
        }

        if (!await DeliverAsync(settled, stoppingToken))
        {
            await ExpectationQueues.WaitAsync(publish, retry, body, after, _options.RetryInterval, stoppingToken);
            return;
        }

        string outcome = result is not null ? ReconciliationMetrics.Recovered : ReconciliationMetrics.Missing;
        _open.Resolved(source.Name, expectation.RequestId);
        _metrics.Expectation(outcome, source.Name);
        activity?.SetTag(OutcomeTag, outcome);
        _observer.Seen.Add(source.EventSource, expectation.RequestId, activity?.Id);
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

    private static partial class Log
    {
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

        [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Event {EventId} of reconciliation was not delivered ({Result}); its expectation is tried again")]
        public static partial void NotDelivered(ILogger logger, string eventId, string result);
    }
}
