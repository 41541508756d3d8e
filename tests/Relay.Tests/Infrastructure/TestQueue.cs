namespace Relay.Infrastructure;

/// <summary>A durable queue of a test's own, bound to nothing unless the test binds it, deleted at the end.</summary>
internal sealed class TestQueue : IAsyncDisposable
{
    private TestQueue(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestQueue> DeclareAsync(string? exchange = null, string binding = "#")
    {
        string name = "relay-test-queue-" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = await TestBroker.ConnectAsync("relay-tests-queue");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);
        if (exchange is not null)
        {
            await channel.QueueBindAsync(name, exchange, binding);
        }

        return new TestQueue(name);
    }

    /// <summary>Takes every message the queue holds now.</summary>
    public async Task<List<ReceivedMessage>> TakeAllAsync()
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-queue");
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<ReceivedMessage>();
        while (await channel.BasicGetAsync(Name, autoAck: true) is { } message)
        {
            messages.Add(ReceivedMessage.From(message.RoutingKey, message.BasicProperties, message.Body).Conforming());
        }

        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-queue");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(Name, ifUnused: false, ifEmpty: false);
    }
}
