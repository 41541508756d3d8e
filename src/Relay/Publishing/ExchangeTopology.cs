using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relay.Publishing;

/// <summary>
/// Declares what Relay publishes into: the durable topic exchange, and behind it, as its alternate
/// exchange, a fanout exchange with a durable queue (quorum by default, replicated on a cluster) that keeps
/// events no consumer queue is bound for, so that nothing is dropped before consumers exist. Declarations
/// are idempotent; an exchange of other settings fails with the broker's own message, and an unrouted queue
/// of another type is used as it is (a queue's type cannot change without deleting it and its events).
/// </summary>
internal static partial class ExchangeTopology
{
    private const ushort PreconditionFailed = 406;

    public static async Task DeclareAsync(IConnection connection, RabbitMqOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            string unrouted = options.UnroutedName;
            await channel.ExchangeDeclareAsync(unrouted, ExchangeType.Fanout, durable: true, autoDelete: false,
                cancellationToken: cancellationToken);
            try
            {
                await channel.QueueDeclareAsync(unrouted, durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = options.UnroutedQueueType },
                    cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == PreconditionFailed)
            {
                // The failed declaration closed the channel; the queue is there, of another type.
                Log.UnroutedQueueOfAnotherType(logger, unrouted, options.UnroutedQueueType, ex.ShutdownReason.ReplyText);
                await channel.DisposeAsync();
                channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.QueueDeclarePassiveAsync(unrouted, cancellationToken);
            }

            await channel.QueueBindAsync(unrouted, unrouted, routingKey: string.Empty, cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["alternate-exchange"] = unrouted },
                cancellationToken: cancellationToken);
            await channel.CloseAsync(cancellationToken);
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "The unrouted queue '{Queue}' exists with another type than Relay:RabbitMq:UnroutedQueueType ({Type}) asks for; it is used as it is ({BrokerSays}). To change its type, move its events and delete it, and Relay declares it anew")]
        public static partial void UnroutedQueueOfAnotherType(ILogger logger, string queue, string type, string brokerSays);
    }
}
