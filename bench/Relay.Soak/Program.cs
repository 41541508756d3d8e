// A bounded soak of a running Relay: callbacks at a fixed rate from several HTTPS clients for a given
// time, while the broker is stopped and started at intervals (with --nodes N, the nodes of a cluster in
// turn, a rolling restart: rabbitmqctl is then given the node's number first). Then it waits for the outbox to drain,
// reads everything the consumer queue received, and prints what was sent, accepted, delivered, missing
// and duplicated, with the outbox's peak depth. Exit code 1 when an accepted callback is missing.
// scripts/soak.sh starts Relay and runs this; see the README's reliability section.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Relay.Bench.Shared;
using Relay.Soak;

var options = SoakOptions.Parse(args);
string run = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
string queueName = $"soak-{run}";
var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(options.CaCertificate));

var factory = new ConnectionFactory { Uri = new Uri(options.AmqpUri), ClientProvidedName = "relay-soak" };
await using (var setup = await factory.CreateConnectionAsync())
await using (var channel = await setup.CreateChannelAsync())
{
    // A quorum queue, as the README asks of consumers: on a cluster it survives the loss of a node.
    await channel.QueueDeclareAsync(queueName, durable: true, exclusive: false, autoDelete: false,
        arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
    await channel.QueueBindAsync(queueName, options.Exchange, "callback.#");
}

var accepted = new ConcurrentDictionary<string, byte>();
var answers = new ConcurrentDictionary<int, int>();
int sent = 0, failed = 0, restarts = 0;
long peakDepth = 0;
using var stop = new CancellationTokenSource(options.Duration);
var clock = Stopwatch.StartNew();

Console.Error.WriteLine($"soak: {options.Duration.TotalMinutes:F1} min at {options.Rate}/s from {options.Clients} clients; " +
    $"{(options.Nodes > 0 ? $"one of {options.Nodes} nodes in turn" : "broker")} stopped for {options.DownFor.TotalSeconds:F0} s every {options.RestartEvery.TotalSeconds:F0} s");

var senders = Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
{
    using var http = new HttpClient(TrustingHandler.Create(trusted)) { Timeout = TimeSpan.FromSeconds(30) };
    using var pace = new PeriodicTimer(TimeSpan.FromSeconds((double)options.Clients / options.Rate));
    int sequence = 0;
    while (await Tick(pace, stop.Token))
    {
        string requestId = $"soak-{run}-{client}-{sequence++}";
        Interlocked.Increment(ref sent);
        try
        {
            using var content = new StringContent(
                $"RequestID={requestId}&OverallStatusCode=OK&StatusCode=OK&RequestType=Asynchronous&ResultType=Asynchronous",
                Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await http.PostAsync(options.Url, content);
            answers.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            if (response.IsSuccessStatusCode)
            {
                accepted[requestId] = 0;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref failed);
        }
    }
})).ToList();

var chaos = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await Task.Delay(options.RestartEvery, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        string node = options.Nodes > 0 ? $"{(restarts % options.Nodes) + 1} " : string.Empty;
        await Ctl(node + "stop_app");
        await Task.Delay(options.DownFor);
        await Ctl(node + "start_app");
        await Ctl(node + "await_startup");
        Interlocked.Increment(ref restarts);
    }
});

using var metrics = new HttpClient { BaseAddress = options.Admin, Timeout = TimeSpan.FromSeconds(5) };
var sampler = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        if (await OutboxDepth() is { } depth)
        {
            peakDepth = Math.Max(peakDepth, depth);
        }

        await Task.Delay(250);
    }
});

await Task.WhenAll(senders);
await chaos;
await sampler;
Console.Error.WriteLine($"soak: load done after {clock.Elapsed.TotalSeconds:F0} s; waiting for the outbox to drain");

var drainDeadline = DateTime.UtcNow.AddMinutes(3);
while (DateTime.UtcNow < drainDeadline && await OutboxDepth() is not 0)
{
    await Task.Delay(500);
}

var delivered = new List<(string MessageId, string? RequestId)>();
await using (var connection = await factory.CreateConnectionAsync())
await using (var channel = await connection.CreateChannelAsync())
{
    await channel.BasicQosAsync(0, 1000, false);
    var lastArrival = DateTime.UtcNow;
    var consumer = new AsyncEventingBasicConsumer(channel);
    consumer.ReceivedAsync += (_, delivery) =>
    {
        lock (delivered)
        {
            using var json = System.Text.Json.JsonDocument.Parse(delivery.Body);
            string? subject = json.RootElement.TryGetProperty("subject", out var value) ? value.GetString() : null;
            delivered.Add((delivery.BasicProperties.MessageId ?? string.Empty, subject));
            lastArrival = DateTime.UtcNow;
        }

        return Task.CompletedTask;
    };
    await channel.BasicConsumeAsync(queueName, autoAck: true, consumer);
    while (DateTime.UtcNow - lastArrival < TimeSpan.FromSeconds(3))
    {
        await Task.Delay(250);
    }

    await channel.QueueDeleteAsync(queueName, ifUnused: false, ifEmpty: false);
}

var arrived = delivered.Select(message => message.RequestId).ToHashSet(StringComparer.Ordinal);
int missing = accepted.Keys.Count(requestId => !arrived.Contains(requestId));
int distinct = delivered.Select(message => message.MessageId).Distinct().Count();
Console.WriteLine($"| duration | sent | accepted | refused | connection failures | delivered | missing | duplicates | peak outbox depth | broker restarts |");
Console.WriteLine($"| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
Console.WriteLine($"| {options.Duration.TotalMinutes:0.#} min | {sent} | {accepted.Count} | {answers.Where(a => a.Key != 200).Sum(a => a.Value)} | {failed} | {delivered.Count} | {missing} | {delivered.Count - distinct} | {peakDepth} | {restarts} |");
return missing == 0 ? 0 : 1;

static async Task<bool> Tick(PeriodicTimer timer, CancellationToken token)
{
    try
    {
        return await timer.WaitForNextTickAsync(token);
    }
    catch (OperationCanceledException)
    {
        return false;
    }
}

async Task<long?> OutboxDepth()
{
    try
    {
        string text = await metrics.GetStringAsync("/metrics");
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("relay_outbox_depth{", StringComparison.Ordinal))
            {
                return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
    }

    return null;
}

async Task Ctl(string command)
{
    using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"{options.Rabbitmqctl} {command} >/dev/null 2>&1"]))!;
    await process.WaitForExitAsync();
}
