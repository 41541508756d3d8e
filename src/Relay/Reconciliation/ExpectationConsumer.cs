using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

/// <summary>
/// Consumes <c>{Exchange}.expectations</c> while this instance is its single active consumer: acknowledges
/// an expectation only once its step is safe with the broker; on a failure, leaves it unacknowledged and
/// closes the channel, so that it returns to the queue and the session starts over; sets aside one that
/// has failed <see cref="MaxDeliveries"/> times (a bug's poison message must not stop the rest).
/// </summary>
internal sealed partial class ExpectationConsumer(ExpectationSteps steps, OpenExpectations open, ReconciliationMetrics metrics,
    ILogger<ExpectationConsumer> logger)
{
    /// <summary>
    /// An expectation that has failed to be reconciled this many times (each failure ends a session) is
    /// set aside with an error rather than blocking the others forever.
    /// </summary>
    private const int MaxDeliveries = 20;

    /// <param name="channel">The channel to consume on (no confirms, prefetch set).</param>
    /// <param name="publish">The confirming channel expectations are put to wait through.</param>
    public async Task StartAsync(IChannel channel, IChannel publish, string queue, CancellationToken stoppingToken)
    {
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => OnExpectationAsync(channel, publish, delivery, stoppingToken);
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken);
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
                await steps.TakeAsync(publish, delivery.Body, delivery.BasicProperties, stoppingToken);
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
            Log.ReconcileFailed(logger, ex.GetType().Name, ex.Message);
            try
            {
                await channel.CloseAsync(CancellationToken.None);
            }
            catch (Exception closing) when (closing is not OutOfMemoryException)
            {
                Log.CloseFailed(logger, closing);
            }
        }
    }

    private void GiveUp(BasicDeliverEventArgs delivery)
    {
        ExpectationJson.TryRead(delivery.Body.Span, out var expectation, out _);
        if (expectation is not null)
        {
            open.Resolved(expectation.Source, expectation.RequestId);
        }

        metrics.Expectation(ReconciliationMetrics.Malformed, expectation?.Source);
        Log.GaveUp(logger, expectation?.RequestId ?? "(unreadable)", expectation?.Source ?? "(unreadable)", MaxDeliveries);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9009, Level = LogLevel.Error, Message = "Reconciling an expectation failed ({ErrorType}: {Reason}); it returns to the queue and reconciliation reconnects")]
        public static partial void ReconcileFailed(ILogger logger, string errorType, string reason);

        [LoggerMessage(EventId = 9011, Level = LogLevel.Error, Message = "Expectation {RequestId} of source {Source} failed to be reconciled {Deliveries} times; it is dropped")]
        public static partial void GaveUp(ILogger logger, string requestId, string source, int deliveries);

        [LoggerMessage(EventId = 9012, Level = LogLevel.Debug, Message = "Closing the expectations channel after a failure failed too; the session ends anyway")]
        public static partial void CloseFailed(ILogger logger, Exception exception);
    }
}
