using System.Diagnostics;
using Microsoft.Extensions.Options;
using Relay.Core.Events;
using Relay.Telemetry;
using Attributes = Relay.Telemetry.RelayTelemetry.Attributes;

namespace Relay.Publishing;

/// <summary>
/// Publishes one event and waits for the broker's confirm: persistent, mandatory, <c>message-id</c> = the
/// event id, W3C trace context in the headers, on the session <see cref="BrokerConnection.TryGetReady"/> gives.
/// Its span covers publish plus confirm and records how it ended.
/// </summary>
internal sealed partial class EventPublisher(
    IOptions<RabbitMqOptions> options,
    BrokerConnection broker,
    PublishingMetrics metrics,
    TimeProvider time,
    ILogger<EventPublisher> logger) : IEventPublisher
{
    private readonly string _exchange = options.Value.Exchange;
    private readonly TimeSpan _confirmTimeout = options.Value.ConfirmTimeout;
    private readonly string _spanName = "publish " + options.Value.Exchange;

    /// <summary>The configured limit, lowered to the broker's own once the broker has said what it is.</summary>
    private long _maxMessageBytes = options.Value.MaxMessageBytes;

    public bool IsReady(out BrokerState state)
    {
        state = broker.State;
        return state == BrokerState.Connected;
    }

    public async Task<PublishOutcome> PublishAsync(CallbackEvent callbackEvent, bool fromStore = false)
    {
        using var activity = fromStore && ActivityContext.TryParse(callbackEvent.TraceParent, null, out var original)
            ? RelayTelemetry.ActivitySource.StartActivity(_spanName, ActivityKind.Producer, parentContext: default, links: [new ActivityLink(original)])
            : RelayTelemetry.ActivitySource.StartActivity(_spanName, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.MessagingSystem, "rabbitmq");
            activity.SetTag(Attributes.MessagingOperationType, "send");
            activity.SetTag(Attributes.MessagingOperationName, "publish");
            activity.SetTag(Attributes.MessagingDestinationName, _exchange);
            activity.SetTag(Attributes.RabbitMqRoutingKey, callbackEvent.RoutingKey);
            activity.SetTag(Attributes.MessagingMessageId, callbackEvent.Id);
            activity.SetTag(Attributes.MessagingMessageBodySize, callbackEvent.Body.Length);
            activity.SetTag(Attributes.OutboxReplay, fromStore);
        }

        long started = time.GetTimestamp();
        var outcome = await PublishCoreAsync(callbackEvent, activity ?? Activity.Current, fromStore ? ConfirmedPublish.StoredConfirmTimeout : _confirmTimeout);
        string outcomeName = PublishOutcomeNames.Of(outcome);
        metrics.PublishDuration(time.GetElapsedTime(started), outcomeName);

        if (outcome != PublishOutcome.Confirmed)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            activity?.SetTag(Attributes.ErrorType, outcomeName);
            Log.NotConfirmed(logger, callbackEvent.Id, callbackEvent.RoutingKey, outcomeName);
        }

        return outcome;
    }

    public bool IsTooLarge(CallbackEvent callbackEvent) => callbackEvent.Body.Length > Volatile.Read(ref _maxMessageBytes);

    private async Task<PublishOutcome> PublishCoreAsync(CallbackEvent callbackEvent, Activity? context, TimeSpan confirmTimeout)
    {
        if (IsTooLarge(callbackEvent))
        {
            return PublishOutcome.TooLarge;
        }

        if (!broker.TryGetReady(out var session) || !session.Channel.IsOpen)
        {
            return PublishOutcome.NotConnected;
        }

        var w3c = context is { IdFormat: ActivityIdFormat.W3C } ? context : null;
        var properties = EventMessage.Properties(callbackEvent, w3c?.Id, w3c?.TraceStateString);
        try
        {
            var (outcome, closedBecause) = await ConfirmedPublish.PublishAsync(session.Channel, _exchange, callbackEvent, properties, confirmTimeout);

            // A message over the broker's max_message_size closes the channel, failing every publish on it:
            // the broker's reason names its limit, and only the events over it are too large.
            if (outcome == PublishOutcome.ConnectionLost && BrokerMessageLimit.TryRead(closedBecause, out long limit))
            {
                LowerLimit(limit);
                return callbackEvent.Body.Length > limit ? PublishOutcome.TooLarge : PublishOutcome.ConnectionLost;
            }

            return outcome;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever else the client throws, the event is not confirmed: the outbox takes it.
            Log.Failed(logger, ex);
            return PublishOutcome.Failed;
        }
    }

    private void LowerLimit(long brokerLimit)
    {
        long current;
        while (brokerLimit < (current = Volatile.Read(ref _maxMessageBytes)))
        {
            if (Interlocked.CompareExchange(ref _maxMessageBytes, brokerLimit, current) == current)
            {
                Log.BrokerLimit(logger, brokerLimit);
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "The broker refuses messages over {Limit} bytes (max_message_size), less than Relay:RabbitMq:MaxMessageBytes: larger events are published as stand-ins and kept in quarantine")]
        public static partial void BrokerLimit(ILogger logger, long limit);

        // A warning, not an error: an event the broker does not confirm goes to the outbox, nothing is lost.
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Event {EventId} ({RoutingKey}) was not confirmed by the broker: {Outcome}")]
        public static partial void NotConfirmed(ILogger logger, string eventId, string routingKey, string outcome);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Publishing failed unexpectedly")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
