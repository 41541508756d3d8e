using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Core.Events;
using Relay.Publishing;

namespace Relay.Reconciliation;

/// <summary>
/// Sees every instance's events through a private queue bound to the exchange and remembers the calls
/// they report (<see cref="SeenCallbacks"/>), so that an expectation whose callback came to any instance
/// is fulfilled, not retrieved.
/// </summary>
internal sealed class CallbackObserver
{
    private readonly string _exchange;

    public CallbackObserver(IOptions<ReconciliationOptions> options, IOptions<RabbitMqOptions> rabbit, TimeProvider time)
    {
        _exchange = rabbit.Value.Exchange;
        var reconciliation = options.Value;
        var window = reconciliation.Grace > reconciliation.RetryInterval ? reconciliation.Grace : reconciliation.RetryInterval;
        Seen = new SeenCallbacks(window * 2, time);
    }

    public SeenCallbacks Seen { get; }

    /// <summary>Declares this instance's queue (gone with its connection, never a backlog for anyone else) and consumes it.</summary>
    public async Task StartAsync(IChannel channel, CancellationToken cancellationToken)
    {
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-max-length"] = 1_000_000 }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue.QueueName, _exchange, "callback.*", cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Observe(delivery.RoutingKey, delivery.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
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
}
