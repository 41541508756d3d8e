using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Relay.Bench;

/// <summary>
/// The consumer of the benchmark's queue, as a deployment has: it keeps the queue short for the whole run
/// and counts what it received (auto-acknowledged, nothing kept), writing the running count to a file that
/// bench/run.sh reads between phases. It reconnects by itself when the broker is stopped and started.
/// </summary>
internal static class QueueDrain
{
    public static async Task RunAsync(BenchOptions options)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Text("uri", "amqp://guest:guest@127.0.0.1:5672/")),
            ClientProvidedName = "relay-bench-drain",
            AutomaticRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        string queue = options.Text("queue", "bench.consumer");
        string countFile = options.Text("count-file");

        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        long received = 0;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        };

        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        string partial = countFile + ".partial";
        while (true)
        {
            await File.WriteAllTextAsync(partial, Interlocked.Read(ref received).ToString(CultureInfo.InvariantCulture));
            File.Move(partial, countFile, overwrite: true);
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
