using System.Globalization;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Quarantine;

/// <summary>
/// What an operator does with quarantined events, from the outbox database of <c>Relay:Outbox:Path</c>
/// (while Relay runs or not): list them, export one whole, publish one again to the exchange.
/// </summary>
internal sealed partial class QuarantineOperator(IOptions<OutboxOptions> outbox, IOptions<RabbitMqOptions> broker, IHostEnvironment environment,
    ILogger<QuarantineOperator> logger)
{

    public void List(TextWriter output)
    {
        using var store = Open();
        var events = store.ReadQuarantined();
        output.WriteLine("id\tevent id\trouting key\treceived\tbytes\tquarantined\treason");
        foreach (var quarantined in events)
        {
            var callbackEvent = quarantined.Event;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{quarantined.Id}\t{callbackEvent.Id}\t{callbackEvent.RoutingKey}\t{callbackEvent.Time:O}\t{callbackEvent.Body.Length}\t{quarantined.QuarantinedAt:O}\t{quarantined.Reason}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{events.Count} quarantined"));
    }

    /// <summary>Writes the full event (the CloudEvent JSON) to <paramref name="file"/>, or to <paramref name="output"/>.</summary>
    public async Task ExportAsync(long id, string? file, TextWriter output)
    {
        using var store = Open();
        var quarantined = Find(store, id);
        if (file is null)
        {
            await output.WriteAsync(System.Text.Encoding.UTF8.GetString(quarantined.Event.Body.Span));
            await output.WriteLineAsync();
        }
        else
        {
            await File.WriteAllBytesAsync(file, quarantined.Event.Body.ToArray());
        }
    }

    /// <summary>Publishes the full event again, with its id and routing key, and takes it out of quarantine once confirmed.</summary>
    public async Task<string> RetryAsync(long id, CancellationToken cancellationToken)
    {
        using var store = Open();
        var quarantined = Find(store, id);
        var callbackEvent = quarantined.Event;
        var settings = broker.Value;
        ConfirmedPublish.Result published;
        try
        {
            await using var connection = await BrokerClient.ConnectAsync(settings, "quarantine", cancellationToken);
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            published = await ConfirmedPublish.PublishAsync(channel, settings.Exchange, callbackEvent,
                EventMessage.Properties(callbackEvent, callbackEvent.TraceParent), ConfirmedPublish.StoredConfirmTimeout, cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            throw new QuarantineException(ex.Message);
        }

        switch (published)
        {
            case { Outcome: PublishOutcome.Confirmed }:
                break;
            case { Outcome: PublishOutcome.Returned or PublishOutcome.Nacked }:
                throw new QuarantineException($"the broker {(published.Outcome == PublishOutcome.Returned ? "returned" : "refused")} event {callbackEvent.Id}; it stays in quarantine");
            case { ClosedBecause: var reason } when BrokerMessageLimit.TryRead(reason, out long limit):
                throw new QuarantineException(string.Create(CultureInfo.InvariantCulture,
                    $"event {callbackEvent.Id} ({callbackEvent.Body.Length} bytes) is still over the broker's max_message_size ({limit}); it stays in quarantine"));
            default:
                throw new QuarantineException(
                    $"event {callbackEvent.Id} was not confirmed ({PublishOutcomeNames.Of(published.Outcome)}{(published.ClosedBecause is { } closed ? ": " + closed.ReplyText : "")}); it stays in quarantine");
        }

        store.DeleteQuarantined(id);
        string user = Environment.UserName;
        Log.Retried(logger, user, id, callbackEvent.Id, settings.Exchange, callbackEvent.RoutingKey);
        return string.Create(CultureInfo.InvariantCulture,
            $"published event {callbackEvent.Id} ({callbackEvent.Body.Length} bytes) to '{settings.Exchange}' as {callbackEvent.RoutingKey}; removed from quarantine");
    }

    private OutboxStore Open()
    {
        string directory = Path.GetFullPath(outbox.Value.Path, environment.ContentRootPath);
        if (!File.Exists(Path.Combine(directory, OutboxStore.FileName)))
        {
            throw new QuarantineException($"there is no outbox in '{directory}' (Relay:Outbox:Path)");
        }

        return OutboxStore.Open(directory);
    }

    private static QuarantinedEvent Find(OutboxStore store, long id) =>
        store.ReadQuarantined(id) is [var found] ? found : throw new QuarantineException($"no quarantined event has id {id}; 'Relay quarantine list' shows them");

    private static partial class Log
    {
        [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Quarantined event {QuarantineId} ({EventId}) published again by {User} to '{Exchange}' as {RoutingKey}")]
        public static partial void Retried(ILogger logger, string user, long quarantineId, string eventId, string exchange, string routingKey);
    }
}
