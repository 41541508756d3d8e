// A consumer of Relay's events, as an internal team would write one:
//   dotnet run --project samples/Relay.Samples.Consumer -- --queue my-team --binding 'callback.#' [--count 1]
// It declares its own durable queue, binds it to Relay's exchange, reads each message as a CloudEvent,
// continues the callback's trace, skips repeats by message-id, and acknowledges after processing.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Samples.Consumer;

var options = ConsumerOptions.Parse(args);
var source = new ActivitySource("Relay.Samples.Consumer");
var traceParent = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);
var formatter = new JsonEventFormatter();
var seen = new RecentMessageIds(capacity: 100_000);
var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
int processed = 0;

var factory = new ConnectionFactory { Uri = new Uri(options.Uri), ClientProvidedName = "relay-sample-consumer" };
await using var connection = await factory.CreateConnectionAsync();
await using var channel = await connection.CreateChannelAsync();

// The exchange is Relay's; declaring it with the same settings is harmless and lets this start first.
await channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false,
    arguments: new Dictionary<string, object?> { ["alternate-exchange"] = options.Exchange + ".unrouted" });
await channel.QueueDeclareAsync(options.Queue, durable: !options.Exclusive, exclusive: options.Exclusive, autoDelete: options.Exclusive);
await channel.QueueBindAsync(options.Queue, options.Exchange, options.Binding);
await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: 32, global: false);

var consumer = new AsyncEventingBasicConsumer(channel);
consumer.ReceivedAsync += async (_, delivery) =>
{
    var cloudEvent = formatter.DecodeStructuredModeMessage(delivery.Body, new System.Net.Mime.ContentType(
        delivery.BasicProperties.ContentType ?? "application/cloudevents+json"), [traceParent]);

    // Continue the trace that began with Marketing Cloud's POST to Relay.
    ActivityContext.TryParse(HeaderText(delivery.BasicProperties, "traceparent") ?? cloudEvent[traceParent] as string,
        null, out var parent);
    using var activity = source.StartActivity($"process {options.Queue}", ActivityKind.Consumer, parent);

    if (seen.TryAdd(delivery.BasicProperties.MessageId ?? cloudEvent.Id!))
    {
        Console.WriteLine($"{delivery.RoutingKey}  message-id={delivery.BasicProperties.MessageId}");
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

static string? HeaderText(IReadOnlyBasicProperties properties, string name) =>
    properties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;

static string Pretty(ReadOnlyMemory<byte> body) =>
    JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
