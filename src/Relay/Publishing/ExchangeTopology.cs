using RabbitMQ.Client;

namespace Relay.Publishing;

/// <summary>
/// Declares what Relay publishes into: the durable topic exchange, and behind it, as its alternate
/// exchange, a fanout exchange with a durable queue that keeps events no consumer queue is bound for,
/// so that nothing is dropped before consumers exist. Declarations are idempotent; one that conflicts
/// with an existing exchange of other settings fails with the broker's own message.
/// </summary>
internal static class ExchangeTopology
{
    public static async Task DeclareAsync(IConnection connection, RabbitMqOptions options, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        string unrouted = options.UnroutedName;

        await channel.ExchangeDeclareAsync(unrouted, ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(unrouted, durable: true, exclusive: false, autoDelete: false,
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(unrouted, unrouted, routingKey: string.Empty, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["alternate-exchange"] = unrouted },
            cancellationToken: cancellationToken);

        await channel.CloseAsync(cancellationToken);
    }
}
