using System.Threading.Channels;
using RabbitMQ.Client.Events;

namespace Relay.Infrastructure;

/// <summary>Reads a test Relay's archive stream (<c>{Exchange}.archive</c>) from its first offset.</summary>
internal static class ArchiveStream
{
    public static string Of(string exchange) => exchange + ".archive";

    /// <summary>Every message in the stream, once <paramref name="expected"/> have come and nothing more for a moment.</summary>
    public static async Task<List<ReceivedMessage>> ReadAsync(string exchange, int expected, TimeSpan? timeout = null)
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-archive");
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 1000, global: false);
        var received = Channel.CreateUnbounded<ReceivedMessage>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.Writer.TryWrite(ReceivedMessage.From(delivery.RoutingKey, delivery.BasicProperties, delivery.Body));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(Of(exchange), autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = "first" }, consumer);

        var messages = new List<ReceivedMessage>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            using var quiet = new CancellationTokenSource(messages.Count >= expected ? TimeSpan.FromMilliseconds(500) : deadline - DateTime.UtcNow);
            try
            {
                messages.Add((await received.Reader.ReadAsync(quiet.Token)).Conforming());
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return messages;
    }
}
