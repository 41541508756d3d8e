using System.Diagnostics;
using RabbitMQ.Client;
using Relay.Callbacks;
using Relay.Events;

namespace Relay.Bench;

/// <summary>
/// The broker's ceiling: what the broker confirms with nothing in front of it. The same client as Relay,
/// one connection, one channel with publisher confirms and tracking, persistent mandatory messages, and the
/// very CloudEvent bodies Relay would publish for the benchmark's callbacks, from as many concurrent
/// publishers as Relay has connections.
/// </summary>
internal static class BrokerCeiling
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.Text("uri", "amqp://guest:guest@127.0.0.1:5672/")), ClientProvidedName = "relay-bench-broker" };
        string exchange = options.Text("exchange", "bench");
        int concurrency = options.Number("concurrency", 64);
        var duration = TimeSpan.FromSeconds(options.Number("seconds", 10));
        var events = Bodies.Load(options.Text("bodies", "bench/bodies"))
            .Select(body => new CallbackEventFactory(CallbackEventOptions.Default).Create(CallbackFormReader.Read(body), body, DateTimeOffset.UtcNow))
            .ToArray();

        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, null));
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (int i = worker; clock.Elapsed < duration; i++)
            {
                var callbackEvent = events[i % events.Length];
                var properties = new BasicProperties
                {
                    DeliveryMode = DeliveryModes.Persistent,
                    ContentType = CallbackEvent.ContentType,
                    MessageId = callbackEvent.Id,
                };
                long started = Stopwatch.GetTimestamp();
                try
                {
                    await channel.BasicPublishAsync(exchange, callbackEvent.RoutingKey, mandatory: true, properties, callbackEvent.Body);
                    latencies.Record(Stopwatch.GetElapsedTime(started));
                }
                catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.PublishException or OperationCanceledException)
                {
                    latencies.Fail();
                }
            }
        })));

        return latencies.Line("BROKER", clock.Elapsed);
    }
}
