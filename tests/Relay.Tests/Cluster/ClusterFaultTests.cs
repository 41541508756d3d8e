using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using RabbitMQ.Client;
using Relay.Infrastructure;
using Relay.Publishing;
using Xunit.Abstractions;

namespace Relay.Cluster;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterGroup : ICollectionFixture<BrokerCluster>
{
    /// <summary>Tests on the 3-node cluster, which stop its nodes, run alone.</summary>
    public const string Name = "broker cluster";
}

/// <summary>Two Relays on a 3-node cluster under load while the nodes they use are stopped and started.</summary>
[Collection(ClusterGroup.Name)]
public sealed class ClusterFaultTests(BrokerCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task NodesStoppedAndStartedUnderLoad_EveryCallbackAnswered200_ArrivesInAQuorumQueue()
    {
        string exchange = "relay-cluster-" + Guid.NewGuid().ToString("N")[..12];
        await using var first = await StartRelayAsync(exchange);
        await using var second = await StartRelayAsync(exchange);
        string queue = exchange + ".consumer";
        await using (var connection = await BrokerCluster.ConnectAsync("relay-tests-cluster-setup"))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            await channel.QueueBindAsync(queue, exchange, "callback.#");
        }

        // Each Relay says which node it uses, in its readiness.
        foreach (var relay in new[] { first, second })
        {
            string node = relay.Services.GetRequiredService<BrokerConnection>().Node!;
            Assert.Contains(node, BrokerCluster.Hosts);
            using var admin = relay.CreateAdminClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
            request.Headers.Accept.ParseAdd("application/json");
            using var readiness = await admin.SendAsync(request);
            Assert.Contains($"connected at {node}", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Load from four clients against the two Relays, for as long as the faults take.
        var accepted = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var relay = client % 2 == 0 ? first : second;
            using var http = relay.CreateClient();
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string id = $"cluster-{client}-{i}";
                try
                {
                    using var response = await http.PostAsync(relay.CallbackPath,
                        new StringContent(CallbackForms.Success(id), Encoding.UTF8, "application/x-www-form-urlencoded"));
                    (response.StatusCode == HttpStatusCode.OK ? accepted : refused).Add(id);
                }
                catch (HttpRequestException)
                {
                    refused.Add(id);
                }

                await Task.Delay(20);
            }
        })).ToList();
        var notReady = Task.Run(() => LongestNotConnectedAsync([first, second], stop.Token));

        // Stop and start each node in turn, beginning with the ones the Relays are connected to.
        var order = new List<int>();
        foreach (var relay in new[] { first, second })
        {
            int node = BrokerCluster.NodeOf(relay.Services.GetRequiredService<BrokerConnection>().Node ?? "");
            if (node > 0 && !order.Contains(node))
            {
                order.Add(node);
            }
        }

        order.AddRange(Enumerable.Range(1, BrokerCluster.Hosts.Length).Except(order));

        // Each phase lasts until callbacks have gone on being accepted through it: no phase is a fixed time.
        async Task AcceptedMoreAsync(string phase)
        {
            int mark = accepted.Count;
            await Eventually.HoldsAsync(TimeSpan.FromSeconds(60), () => accepted.Count >= mark + 50, $"50 more callbacks accepted {phase}");
        }

        foreach (int node in order)
        {
            await AcceptedMoreAsync($"before node {node} stops");
            output.WriteLine($"stopping node {node}");
            await cluster.StopAppAsync(node);
            await AcceptedMoreAsync($"while node {node} is stopped");
            output.WriteLine($"starting node {node}");
            await cluster.StartAppAsync(node);
        }

        await AcceptedMoreAsync("after the last restart");
        stop.Cancel();
        await Task.WhenAll(load);
        var longestNotConnected = await notReady;
        await first.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        await second.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));

        var received = await DrainAsync(queue, accepted.Count);
        var missing = accepted.Where(id => !received.ContainsKey(id)).ToList();
        int duplicates = received.Values.Sum(count => count - 1);
        output.WriteLine($"{accepted.Count} answered 200, {refused.Count} not; {received.Count} distinct delivered, {duplicates} duplicates; " +
            $"longest without a broker connection: {longestNotConnected.TotalSeconds:F1} s");
        Assert.True(accepted.Count > 100, $"only {accepted.Count} callbacks were answered 200");
        Assert.True(missing.Count == 0, $"{missing.Count} callbacks answered 200 never arrived, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.True(longestNotConnected < TimeSpan.FromSeconds(15), $"a Relay was without a broker connection for {longestNotConnected}");
    }

    private static Task<RelayServer> StartRelayAsync(string exchange) => RelayServer.StartAsync(settings =>
    {
        settings["Relay:RabbitMq:Uri"] = BrokerCluster.Uri;
        settings["Relay:RabbitMq:Exchange"] = exchange;
        for (int i = 0; i < BrokerCluster.Hosts.Length; i++)
        {
            settings[$"Relay:RabbitMq:Hosts:{i}"] = BrokerCluster.Hosts[i];
        }
    });

    /// <summary>The longest stretch during which either Relay had no broker connection.</summary>
    private static async Task<TimeSpan> LongestNotConnectedAsync(RelayServer[] relays, CancellationToken stop)
    {
        var since = new Stopwatch?[relays.Length];
        var longest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < relays.Length; i++)
            {
                bool connected = relays[i].Services.GetRequiredService<BrokerConnection>().State == BrokerState.Connected;
                if (connected)
                {
                    since[i] = null;
                }
                else
                {
                    since[i] ??= Stopwatch.StartNew();
                    longest = since[i]!.Elapsed > longest ? since[i]!.Elapsed : longest;
                }
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return longest;
    }

    /// <summary>Reads the queue until <paramref name="expected"/> distinct events came, or it stays empty for a while.</summary>
    private static async Task<Dictionary<string, int>> DrainAsync(string queue, int expected)
    {
        var counts = new Dictionary<string, int>();
        await using var connection = await BrokerCluster.ConnectAsync("relay-tests-cluster-drain");
        await using var channel = await connection.CreateChannelAsync();
        var quiet = Stopwatch.StartNew();
        while (counts.Count < expected || quiet.Elapsed < TimeSpan.FromSeconds(2))
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is null)
            {
                if (quiet.Elapsed > TimeSpan.FromSeconds(20))
                {
                    break;
                }

                await Task.Delay(100);
                continue;
            }

            quiet.Restart();
            using var json = System.Text.Json.JsonDocument.Parse(message.Body);
            string id = json.RootElement.GetProperty("subject").GetString()!;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        await channel.QueueDeleteAsync(queue);
        return counts;
    }
}
