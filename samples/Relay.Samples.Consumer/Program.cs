// A consumer of Relay's events, as an internal team would write one:
//   dotnet run --project samples/Relay.Samples.Consumer -- --queue my-team --binding 'callback.#' [--count 1]
// It declares its own durable queue, binds it to Relay's exchange, and for each message lets
// EventProcessor read the CloudEvent, continue the trace and skip repeats, then acknowledges it.
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Samples.Consumer;

var options = ConsumerOptions.Parse(args);
var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
int processed = 0;

var factory = new ConnectionFactory { Uri = new Uri(options.Uri), ClientProvidedName = "relay-sample-consumer" };
await using var connection = await factory.CreateConnectionAsync();
await using var channel = await connection.CreateChannelAsync();

// The exchange is Relay's; declaring it with the same settings is harmless and lets this start first.
await channel.ExchangeDeclareAsync(options.Exchange, "topic", durable: true, autoDelete: false,
    arguments: new Dictionary<string, object?> { ["alternate-exchange"] = options.Exchange + ".unrouted" });
// A durable queue is a quorum queue unless --queue-type says otherwise; an exclusive one cannot be.
await channel.QueueDeclareAsync(options.Queue, durable: !options.Exclusive, exclusive: options.Exclusive, autoDelete: options.Exclusive,
    arguments: options.Exclusive ? null : new Dictionary<string, object?> { ["x-queue-type"] = options.QueueType });
await channel.QueueBindAsync(options.Queue, options.Exchange, options.Binding);
await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: 32, global: false);

var processor = new EventProcessor((cloudEvent, routingKey) =>
{
    // The team's own work goes here; this sample prints the event.
    Console.WriteLine($"{routingKey}  id={cloudEvent.Id}");
    return Task.CompletedTask;
});

var consumer = new AsyncEventingBasicConsumer(channel);
consumer.ReceivedAsync += async (_, delivery) =>
{
    if (await processor.ProcessAsync(options.Queue, delivery.RoutingKey, delivery.BasicProperties, delivery.Body))
    {
        Console.WriteLine(Pretty(delivery.Body));
    }
    else
    {
        Console.WriteLine($"skipped a repeat of message-id={delivery.BasicProperties.MessageId}");
    }

    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    if (options.Count > 0 && Interlocked.Increment(ref processed) >= options.Count)
    {
        done.TrySetResult();
    }
};

await channel.BasicConsumeAsync(options.Queue, autoAck: false, consumer);
Console.Error.WriteLine($"consumer: queue '{options.Queue}' bound to '{options.Exchange}' with '{options.Binding}'; waiting for events");
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
await done.Task;

static string Pretty(ReadOnlyMemory<byte> body) =>
    JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
