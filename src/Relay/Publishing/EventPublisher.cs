using System.Diagnostics;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Relay.Events;
using Relay.Telemetry;
using Attributes = Relay.Telemetry.RelayTelemetry.Attributes;

namespace Relay.Publishing;

/// <summary>
/// Publishes one event and waits for the broker's confirm: persistent, mandatory, <c>message-id</c> = the
/// event id, W3C trace context in the headers. Its span covers publish plus confirm and records how it ended.
/// </summary>
internal sealed partial class EventPublisher(
    BrokerConnection broker,
    IOptions<RabbitMqOptions> options,
    RelayMetrics metrics,
    TimeProvider time,
    ILogger<EventPublisher> logger)
{
    private readonly string _exchange = options.Value.Exchange;
    private readonly TimeSpan _confirmTimeout = options.Value.ConfirmTimeout;
    private readonly string _spanName = "publish " + options.Value.Exchange;

    /// <param name="callbackEvent">The event.</param>
    /// <param name="replayOf">
    /// For an event forwarded from the outbox: the trace context of the request that brought it. The
    /// publish span then starts a trace of its own, linked to that request's span.
    /// </param>
    public async Task<PublishOutcome> PublishAsync(CallbackEvent callbackEvent, string? replayOf = null)
    {
        using var activity = replayOf is not null && ActivityContext.TryParse(replayOf, null, out var original)
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
            activity.SetTag(Attributes.OutboxReplay, replayOf is not null);
        }

        long started = time.GetTimestamp();
        var outcome = await PublishCoreAsync(callbackEvent, activity ?? Activity.Current);
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

    private async Task<PublishOutcome> PublishCoreAsync(CallbackEvent callbackEvent, Activity? context)
    {
        var session = broker.Session;
        if (session is null)
        {
            return PublishOutcome.NotConnected;
        }

        // A new BasicProperties per publish: the client adds its own headers to the instance it is given.
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = CallbackEvent.ContentType,
            MessageId = callbackEvent.Id,
            Timestamp = new AmqpTimestamp(callbackEvent.Time.ToUnixTimeSeconds()),
            Type = CallbackEventOptions.EventType,
            AppId = "relay",
            Headers = new Dictionary<string, object?>(2),
        };

        if (context is { IdFormat: ActivityIdFormat.W3C })
        {
            properties.Headers["traceparent"] = context.Id;
            if (!string.IsNullOrEmpty(context.TraceStateString))
            {
                properties.Headers["tracestate"] = context.TraceStateString;
            }
        }

        using var deadline = new CancellationTokenSource(_confirmTimeout);
        try
        {
            await session.Channel.BasicPublishAsync(_exchange, callbackEvent.RoutingKey, mandatory: true, properties,
                callbackEvent.Body, deadline.Token);
            return PublishOutcome.Confirmed;
        }
        catch (PublishException ex)
        {
            return ex.IsReturn ? PublishOutcome.Returned : PublishOutcome.Nacked;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return PublishOutcome.TimedOut;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException
            or IOException or System.Net.Sockets.SocketException)
        {
            return PublishOutcome.ConnectionLost;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever else the client throws, the event is not confirmed: the outbox takes it.
            Log.Failed(logger, ex);
            return PublishOutcome.Failed;
        }
    }

    private static partial class Log
    {
        // A warning, not an error: an event the broker does not confirm goes to the outbox, nothing is lost.
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Event {EventId} ({RoutingKey}) was not confirmed by the broker: {Outcome}")]
        public static partial void NotConfirmed(ILogger logger, string eventId, string routingKey, string outcome);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Publishing failed unexpectedly")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
