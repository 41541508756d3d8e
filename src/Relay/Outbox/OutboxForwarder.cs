using Relay.Delivery;
using Relay.Publishing;

namespace Relay.Outbox;

/// <summary>
/// Drains the outbox to the broker in arrival order, in batches published back to back on the
/// publishing channel, deleting each event only once the broker has confirmed it. It runs from start-up,
/// so what a crash left in the outbox is delivered after a restart. Republishing keeps the event's id,
/// hence its message-id: consumers see a redelivery as a duplicate to drop, never as a new callback.
/// </summary>
internal sealed partial class OutboxForwarder(
    LocalOutbox outbox,
    EventDelivery delivery,
    EventPublisher publisher,
    BrokerConnection broker,
    ILogger<OutboxForwarder> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (outbox.IsEmpty)
                {
                    delivery.TryLeaveOutboxMode();
                    await outbox.WaitForAppendAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }

                if (broker.State != BrokerState.Connected)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken);
                    continue;
                }

                var batch = outbox.ReadOldest(BatchSize);
                if (batch.Count == 0)
                {
                    // Appends reserved but not yet committed: they will signal.
                    await outbox.WaitForAppendAsync(TimeSpan.FromMilliseconds(50), stoppingToken);
                    continue;
                }

                var outcomes = await Task.WhenAll(batch.Select(entry => publisher.PublishAsync(entry.Event, entry.RequestTraceParent)));
                var delivered = batch.Where((_, index) => outcomes[index] == PublishOutcome.Confirmed).ToList();
                if (delivered.Count > 0)
                {
                    outbox.Remove(delivered);
                }

                if (delivered.Count == batch.Count)
                {
                    backoff = MinBackoff;
                    continue;
                }

                Log.Incomplete(logger, batch.Count - delivered.Count, batch.Count, backoff);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.Failed(logger, ex);
                try
                {
                    await Task.Delay(MaxBackoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Forwarding from the outbox: {Failed} of {Batch} events not confirmed; retrying in {Backoff}")]
        public static partial void Incomplete(ILogger logger, int failed, int batch, TimeSpan backoff);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Forwarding from the outbox failed; retrying")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
