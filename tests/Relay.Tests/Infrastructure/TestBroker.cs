using RabbitMQ.Client;

namespace Relay.Infrastructure;

/// <summary>
/// The RabbitMQ the tests use: <c>RELAY_TEST_RABBITMQ_URI</c>, by default the local node that
/// <c>scripts/rabbitmq.sh</c> starts. Tests fail, never skip, when it cannot be reached.
/// </summary>
internal static class TestBroker
{
    public static string Uri { get; } =
        Environment.GetEnvironmentVariable("RELAY_TEST_RABBITMQ_URI") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/";

    public static async Task<IConnection> ConnectAsync(string clientName)
    {
        var factory = new ConnectionFactory { Uri = new Uri(Uri), ClientProvidedName = clientName };
        try
        {
            return await factory.CreateConnectionAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not reachable at {Publishing.BrokerAddress.Describe(Uri)}: start it with 'scripts/rabbitmq.sh ensure' " +
                "or point RELAY_TEST_RABBITMQ_URI at one.", ex);
        }
    }

    /// <summary>Messages ready in a queue now (AMQP's passive declare: exact at once, unlike the management API's sampled counts).</summary>
    public static async Task<uint> ReadyAsync(string queue)
    {
        await using var connection = await ConnectAsync("relay-tests-ready");
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Deletes what a test Relay declared: its exchange, its unrouted exchange and queue, its archive stream, its expectations queues.</summary>
    public static async Task DeleteTopologyAsync(string exchange)
    {
        try
        {
            await using var connection = await ConnectAsync("relay-tests-cleanup");
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync(exchange);
            await channel.ExchangeDeleteAsync(exchange + ".unrouted");
            await channel.QueueDeleteAsync(exchange + ".unrouted", ifUnused: false, ifEmpty: false);
            await channel.QueueDeleteAsync(exchange + ".archive", ifUnused: false, ifEmpty: false);
            foreach (string expectations in new[] { ".expectations", ".expectations.grace", ".expectations.retry" })
            {
                await channel.QueueDeleteAsync(exchange + expectations, ifUnused: false, ifEmpty: false);
            }
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.OperationInterruptedException or InvalidOperationException)
        {
            // Best effort: a test that stopped the broker may leave its exchange behind.
        }
    }
}
