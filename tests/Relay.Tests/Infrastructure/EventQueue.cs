using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Relay.Infrastructure;

/// <summary>A consumer's queue bound to Relay's exchange: what a consumer team would see.</summary>
internal sealed class EventQueue : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();

    private EventQueue(IConnection connection, IChannel channel, string name)
    {
        _connection = connection;
        _channel = channel;
        Name = name;
    }

    public string Name { get; }

    public static async Task<EventQueue> BindAsync(string exchange, string binding = "callback.#")
    {
        var connection = await TestBroker.ConnectAsync("relay-tests-consumer");
        var channel = await connection.CreateChannelAsync();
        var declared = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(declared.QueueName, exchange, binding);
        var queue = new EventQueue(connection, channel, declared.QueueName);

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await queue._received.Writer.WriteAsync(ReceivedMessage.From(delivery.RoutingKey, delivery.BasicProperties, delivery.Body));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(declared.QueueName, autoAck: false, consumer);
        return queue;
    }

    public async Task<ReceivedMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return (await _received.Reader.ReadAsync(cancellation.Token)).Conforming();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message arrived in queue {Name} within {timeout ?? TimeSpan.FromSeconds(10)}.");
        }
    }

    /// <summary>Asserts that nothing arrives within <paramref name="wait"/>.</summary>
    public async Task AssertEmptyAsync(TimeSpan? wait = null)
    {
        using var cancellation = new CancellationTokenSource(wait ?? TimeSpan.FromMilliseconds(500));
        try
        {
            var unexpected = await _received.Reader.ReadAsync(cancellation.Token);
            Assert.Fail($"Expected no message, but {unexpected.RoutingKey} ({unexpected.MessageId}) arrived.");
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
