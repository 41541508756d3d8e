using System.Diagnostics;
using RabbitMQ.Client;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Bench;

/// <summary>
/// The broker's ceiling: what the broker confirms with nothing in front of it. The same client as Relay,
/// one connection, one channel with publisher confirms and tracking, persistent mandatory messages, and the
/// very CloudEvent bodies Relay would publish for the benchmark's callbacks, from as many concurrent
/// publishers as Relay has connections. With <c>--rate</c>, an open-loop load at that fixed rate instead,
/// each latency measured from when its publish was due: the broker's own share of Relay's latency at the
/// same rate. <c>--properties relay</c> adds the properties Relay sets besides these.
/// </summary>
internal static class BrokerCeiling
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.Text("uri", "amqp://guest:guest@127.0.0.1:5672/")), ClientProvidedName = "relay-bench-broker" };
        string exchange = options.Text("exchange", "bench");
        int concurrency = options.Number("concurrency", 64);
        bool relayProperties = options.Text("properties", "plain") == "relay";
        var duration = TimeSpan.FromSeconds(options.Number("seconds", 10));
        var events = Bodies.Load(options.Text("bodies", "bench/bodies"))
            .Select(body => new CallbackEventFactory(CallbackEventOptions.Default).Create(CallbackFormReader.Read(body), body, DateTimeOffset.UtcNow))
            .ToArray();

        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, null));

        // Jitted and connected before it is measured, as Relay is.
        await ClosedLoopAsync(channel, exchange, events, concurrency, relayProperties, TimeSpan.FromSeconds(options.Number("warm-up", 2)), new LatencyRecorder());

        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        int rate = options.Number("rate", 0);
        if (rate > 0)
        {
            long total = (long)(rate * duration.TotalSeconds);
            var inFlight = new List<Task>((int)total);

            // --group-commit: what arrives while a group waits for its confirms is published together once
            // they are in, as a group-committing publisher would.
            var grouped = options.Text("group-commit", "no") == "yes" ? System.Threading.Channels.Channel.CreateUnbounded<(CallbackEvent, TimeSpan)>() : null;
            if (grouped is not null)
            {
                inFlight.Add(Task.Run(async () =>
                {
                    var group = new List<Task>();
                    while (await grouped.Reader.WaitToReadAsync())
                    {
                        group.Clear();
                        while (grouped.Reader.TryRead(out var item))
                        {
                            group.Add(PublishAsync(channel, exchange, item.Item1, relayProperties, latencies, clock, item.Item2));
                        }

                        await Task.WhenAll(group);
                    }
                }));
            }
            for (long i = 0; i < total; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }

                var callbackEvent = events[i % events.Length];
                if (grouped is not null)
                {
                    grouped.Writer.TryWrite((callbackEvent, due));
                    continue;
                }

                inFlight.Add(Task.Run(() => PublishAsync(channel, exchange, callbackEvent, relayProperties, latencies, clock, due)));
            }

            grouped?.Writer.Complete();
            await Task.WhenAll(inFlight);
            return latencies.Line("BROKER", duration);
        }

        await ClosedLoopAsync(channel, exchange, events, concurrency, relayProperties, duration, latencies);
        return latencies.Line("BROKER", clock.Elapsed);
    }

    private static Task ClosedLoopAsync(IChannel channel, string exchange, CallbackEvent[] events, int concurrency, bool relayProperties,
        TimeSpan duration, LatencyRecorder latencies)
    {
        var clock = Stopwatch.StartNew();
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (int i = worker; clock.Elapsed < duration; i++)
            {
                await PublishAsync(channel, exchange, events[i % events.Length], relayProperties, latencies, clock, clock.Elapsed);
            }
        })));
    }

    private static async Task PublishAsync(IChannel channel, string exchange, CallbackEvent callbackEvent, bool relayProperties,
        LatencyRecorder latencies, Stopwatch clock, TimeSpan started)
    {
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = CallbackEvent.ContentType,
            MessageId = callbackEvent.Id,
        };
        if (relayProperties)
        {
            // What Relay's EventMessage adds (docs/consumers/events.md), for telling the properties' cost
            // to the broker from the rest of how Relay publishes.
            properties.Timestamp = new AmqpTimestamp(callbackEvent.Time.ToUnixTimeSeconds());
            properties.Type = callbackEvent.Type;
            properties.AppId = "relay";
            properties.Headers = new Dictionary<string, object?> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        }

        try
        {
            await channel.BasicPublishAsync(exchange, callbackEvent.RoutingKey, mandatory: true, properties, callbackEvent.Body);
            latencies.Record(clock.Elapsed - started);
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.PublishException or OperationCanceledException)
        {
            latencies.Fail();
        }
    }
}
