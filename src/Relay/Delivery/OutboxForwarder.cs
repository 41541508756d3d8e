using Microsoft.Data.Sqlite;
using Relay.Core.Events;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Delivery;

/// <summary>
/// Drains the outbox to the broker oldest first, in batches published back to back on the publishing
/// channel, deleting each event only once the broker has confirmed it; an event not confirmed is
/// published again later, after events behind it that were (order is not kept across a failure). It runs from start-up,
/// so what a crash left in the outbox is delivered after a restart. Republishing keeps the event's id,
/// hence its message-id: consumers see a redelivery as a duplicate to drop, never as a new callback.
/// No event blocks the ones behind it for good: one too large for the broker goes to quarantine with a
/// stand-in published in its place, and one the broker refuses <see cref="MaxRefusals"/> times goes to
/// quarantine; a connection problem is retried without limit. Each batch is held in the callbacks' memory
/// (<see cref="IDeliveryMemory"/>) from its read until the broker has answered for it.
/// </summary>
internal sealed partial class OutboxForwarder(
    LocalOutbox outbox,
    EventDelivery delivery,
    IEventPublisher publisher,
    IDeliveryMemory memory,
    TimeProvider time,
    ILogger<OutboxForwarder> logger) : BackgroundService
{
    internal const int BatchSize = 256;
    internal const int MaxRefusals = 5;
    internal static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan BrokerPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>Refusals (nack, return) per outbox row, since this process started.</summary>
    private readonly Dictionary<long, int> _refusals = [];

    /// <summary>Rows the broker confirmed whose delete has not been written yet.</summary>
    private readonly HashSet<long> _confirmedNotDeleted = [];

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

                if (!publisher.IsReady(out _))
                {
                    await Task.Delay(BrokerPoll, time, stoppingToken);
                    continue;
                }

                var batch = outbox.ReadOldest(BatchSize);
                if (batch.Count == 0)
                {
                    // Appends reserved but not yet committed: they will signal.
                    await outbox.WaitForAppendAsync(TimeSpan.FromMilliseconds(50), stoppingToken);
                    continue;
                }

                // Held once read, since its size is known only then: the read is bounded by
                // OutboxStore.MaxBatchBytes, and that one batch is what waits for room meanwhile.
                int settled;
                using (await memory.HoldAsync(batch.Sum(entry => IDeliveryMemory.HeldFor(entry.Event.Body.Length)), stoppingToken))
                {
                    settled = await ForwardAsync(batch);
                }

                if (settled == batch.Count)
                {
                    backoff = MinBackoff;
                    continue;
                }

                Log.Incomplete(logger, batch.Count - settled, batch.Count, backoff);
                await Task.Delay(backoff, time, stoppingToken);
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
                    await Task.Delay(MaxBackoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Publishes a batch and settles what the broker answered; returns how many of its events are settled.</summary>
    private async Task<int> ForwardAsync(List<OutboxEntry> batch)
    {
        // An event the broker already confirmed, whose delete failed, is deleted again, not published
        // again. An event over the size limit known now goes as its stand-in, in its place in the order.
        var standIns = batch.Select(entry => publisher.IsTooLarge(entry.Event) ? CallbackEventStandIn.Create(entry.Event) : null).ToList();
        var outcomes = await Task.WhenAll(batch.Select((entry, index) => _confirmedNotDeleted.Contains(entry.Sequence)
            ? Task.FromResult(PublishOutcome.Confirmed)
            : publisher.PublishAsync(standIns[index] ?? entry.Event, fromStore: true)));
        var delivered = new List<OutboxEntry>(batch.Count);
        int settled = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] == PublishOutcome.Confirmed && standIns[i] is not null)
            {
                outbox.MoveToQuarantine(batch[i], QuarantineReasons.TooLarge(batch[i].Event));
                settled++;
            }
            else if (outcomes[i] == PublishOutcome.Confirmed)
            {
                delivered.Add(batch[i]);
            }
            else if (SettleRefused(batch[i], outcomes[i]))
            {
                settled++;
            }
        }

        if (delivered.Count > 0 && TryRemove(delivered))
        {
            settled += delivered.Count;
        }

        return settled;
    }

    /// <summary>
    /// Deletes delivered events. A delete that cannot be written (a full volume) is tried again, and the
    /// events are remembered as confirmed meanwhile: publishing them again would only send duplicates.
    /// </summary>
    private bool TryRemove(List<OutboxEntry> delivered)
    {
        try
        {
            outbox.Remove(delivered);
        }
        catch (SqliteException ex)
        {
            delivered.ForEach(entry => _confirmedNotDeleted.Add(entry.Sequence));
            Log.DeleteFailed(logger, delivered.Count, ex.Message);
            return false;
        }

        delivered.ForEach(entry =>
        {
            _refusals.Remove(entry.Sequence);
            _confirmedNotDeleted.Remove(entry.Sequence);
        });
        return true;
    }

    /// <summary>An event the broker refused (nack, return) too often goes to quarantine. True when it is settled.</summary>
    private bool SettleRefused(OutboxEntry entry, PublishOutcome outcome)
    {
        if (outcome is not (PublishOutcome.Nacked or PublishOutcome.Returned))
        {
            return false;
        }

        int refusals = _refusals[entry.Sequence] = _refusals.GetValueOrDefault(entry.Sequence) + 1;
        if (refusals < MaxRefusals)
        {
            return false;
        }

        outbox.MoveToQuarantine(entry, QuarantineReasons.Refused(outcome, refusals));
        _refusals.Remove(entry.Sequence);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Forwarding from the outbox: {Failed} of {Batch} events not confirmed; retrying in {Backoff}")]
        public static partial void Incomplete(ILogger logger, int failed, int batch, TimeSpan backoff);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "{Count} events forwarded from the outbox and confirmed by the broker cannot be deleted ({Reason}); deleting them again, without publishing them again")]
        public static partial void DeleteFailed(ILogger logger, int count, string reason);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Forwarding from the outbox failed; retrying")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
