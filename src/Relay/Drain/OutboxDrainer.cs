using System.Globalization;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Core.Events;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Drain;

/// <summary>
/// Forwards an orphaned outbox (the <c>outbox.db</c> of an instance that is gone, its volume mounted
/// elsewhere) to the exchange of <c>Relay:RabbitMq</c>, oldest first, with confirms: a confirmed event is
/// deleted, an unreadable row or an event the broker cannot take goes to the quarantine table as the
/// server would move it. Events go in batches published back to back; a batch in which an event is not
/// confirmed stops the drain, that event and the batches behind it left in the outbox.
/// </summary>
internal sealed partial class OutboxDrainer(IOptions<RabbitMqOptions> broker, TimeProvider time, ILogger<OutboxDrainer> logger)
{
    private const int BatchSize = 64;

    public async Task<DrainSummary> DrainAsync(string path, CancellationToken cancellationToken)
    {
        string directory = Path.GetFullPath(path);
        if (!File.Exists(Path.Combine(directory, OutboxStore.FileName)))
        {
            throw new DrainException($"there is no outbox in '{directory}' (no {OutboxStore.FileName})");
        }

        var settings = broker.Value;
        using var store = OutboxStore.Open(directory);
        int delivered = 0, quarantined = 0;
        string? stoppedBecause = null;
        try
        {
            await using var connection = await BrokerClient.ConnectAsync(settings, "outbox-drain", cancellationToken);
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            while (stoppedBecause is null)
            {
                var unreadable = new List<UnreadableRow>();
                var batch = store.ReadOldest(BatchSize, unreadable);
                foreach (var row in unreadable)
                {
                    store.MoveToQuarantine(row.Sequence, QuarantineReasons.Unreadable(row), time.GetUtcNow());
                    quarantined++;
                }

                if (batch.Count == 0 && unreadable.Count == 0)
                {
                    break;
                }

                // Published back to back and confirmed together, as the server's forwarder does; then settled
                // in order. A confirmed event is settled even behind one that was not: it reached the broker.
                var sent = batch.Select(entry => entry.Event.Body.Length > settings.MaxMessageBytes ? CallbackEventStandIn.Create(entry.Event) : null).ToList();
                var failures = await Task.WhenAll(batch.Select((entry, i) => PublishAsync(channel, settings.Exchange, sent[i] ?? entry.Event, cancellationToken)));
                var confirmed = new List<long>(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    if (failures[i] is { } failure)
                    {
                        stoppedBecause ??= failure;
                    }
                    else if (sent[i] is not null)
                    {
                        store.MoveToQuarantine(batch[i].Sequence, QuarantineReasons.TooLarge(batch[i].Event), time.GetUtcNow());
                        quarantined++;
                        delivered++;
                    }
                    else
                    {
                        confirmed.Add(batch[i].Sequence);
                    }
                }

                store.Delete([.. confirmed]);
                delivered += confirmed.Count;
            }
        }
        catch (BrokerUnavailableException ex)
        {
            stoppedBecause = ex.Message;
        }

        var summary = new DrainSummary(directory, settings.Exchange, delivered, quarantined, store.Measure().Entries, stoppedBecause);
        Log.Drained(logger, Environment.UserName, directory, settings.Exchange, delivered, quarantined, summary.Left);
        return summary;
    }

    /// <returns>Null once the broker confirmed the event; otherwise why the drain stops.</returns>
    private static async Task<string?> PublishAsync(IChannel channel, string exchange, CallbackEvent callbackEvent,
        CancellationToken cancellationToken)
    {
        // Stored events wait for their confirms as the server's forwarder does.
        var (outcome, closedBecause) = await ConfirmedPublish.PublishAsync(channel, exchange, callbackEvent,
            EventMessage.Properties(callbackEvent, callbackEvent.TraceParent), ConfirmedPublish.StoredConfirmTimeout, cancellationToken);
        return outcome switch
        {
            PublishOutcome.Confirmed => null,
            PublishOutcome.Returned or PublishOutcome.Nacked => $"the broker {(outcome == PublishOutcome.Returned ? "returned" : "refused")} event {callbackEvent.Id}",
            _ => string.Create(CultureInfo.InvariantCulture, $"event {callbackEvent.Id} was not confirmed ({PublishOutcomeNames.Of(outcome)}{(closedBecause is null ? "" : ": " + closedBecause.ReplyText)})"),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "Outbox {Directory} drained by {User} to '{Exchange}': {Delivered} delivered, {Quarantined} quarantined, {Left} left")]
        public static partial void Drained(ILogger logger, string user, string directory, string exchange, int delivered, int quarantined, long left);
    }
}
