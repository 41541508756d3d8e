using System.Text.Json;
using RabbitMQ.Client;
using Relay.Fuzz;

namespace Relay.Infrastructure;

/// <summary>
/// A durable consumer queue bound to Relay's exchange, which keeps what arrives while the broker restarts.
/// Read with <see cref="DrainAsync"/> over fresh connections, so a broker restart cannot disturb reading.
/// </summary>
internal sealed class DurableQueue : IAsyncDisposable
{
    private DurableQueue(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static async Task<DurableQueue> BindAsync(string exchange, string binding = "callback.#")
    {
        string name = $"{exchange}.consumer-{Guid.NewGuid():N}"[..Math.Min(200, exchange.Length + 42)];
        await using var connection = await TestBroker.ConnectAsync("relay-tests-durable-queue");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(name, exchange, binding);
        return new DurableQueue(name);
    }

    /// <summary>
    /// Reads until <paramref name="expected"/> distinct events have arrived and nothing more comes for
    /// <paramref name="quiet"/> (so that duplicates are counted too), or until <paramref name="timeout"/>.
    /// </summary>
    public async Task<List<DeliveredEvent>> DrainAsync(int expected, TimeSpan? quiet = null, TimeSpan? timeout = null)
    {
        var delivered = new List<DeliveredEvent>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var quietFor = quiet ?? TimeSpan.FromSeconds(1);
        var lastArrival = DateTime.UtcNow;

        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using var connection = await TestBroker.ConnectAsync("relay-tests-drain");
                await using var channel = await connection.CreateChannelAsync();
                while (DateTime.UtcNow < deadline)
                {
                    var result = await channel.BasicGetAsync(Name, autoAck: true);
                    bool got = result is not null;
                    if (result is not null)
                    {
                        var message = DeliveredEvent.From(result);
                        delivered.Add(message);
                        distinct.Add(message.MessageId);
                        lastArrival = DateTime.UtcNow;
                    }

                    if (!got)
                    {
                        if (distinct.Count >= expected && DateTime.UtcNow - lastArrival >= quietFor)
                        {
                            return delivered;
                        }

                        await Task.Delay(50);
                    }
                }
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.OperationInterruptedException
                or RabbitMQ.Client.Exceptions.AlreadyClosedException or InvalidOperationException)
            {
                await Task.Delay(500);
            }
        }

        return delivered;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = await TestBroker.ConnectAsync("relay-tests-cleanup");
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(Name, ifUnused: false, ifEmpty: false);
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.OperationInterruptedException or InvalidOperationException)
        {
        }
    }
}

/// <summary>What a consumer needs to account for an event: its message-id and the callback's RequestID.</summary>
internal sealed record DeliveredEvent(string MessageId, string? Subject, string RoutingKey)
{
    public static DeliveredEvent From(BasicGetResult result)
    {
        string? problem = EventContract.Problem(result.RoutingKey, result.Body.Span);
        Assert.True(problem is null, $"An event under '{result.RoutingKey}' breaks the event contract: {problem}");
        using var json = JsonDocument.Parse(result.Body);
        string? subject = json.RootElement.TryGetProperty("subject", out var value) ? value.GetString() : null;
        return new DeliveredEvent(result.BasicProperties.MessageId ?? string.Empty, subject, result.RoutingKey);
    }
}
