using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RabbitMQ.Client;
using Relay.Bench.Shared;

namespace Relay.Bench;

/// <summary>
/// Reconciliation's rate when every call's callback comes: <c>--count</c> calls, each registered on
/// <c>{exchange}.expectations</c> with confirms and posted as a callback, in two orders. Callback first:
/// each expectation is fulfilled as it is taken. Registration first: each waits Relay's Grace in the
/// waiting queue and is fulfilled when it comes back. The rate is the calls over the time from the first
/// registration to the last fulfilment, read from Relay's own counter; prints one line per order.
/// </summary>
internal static class Expectations
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var url = new Uri(options.Text("url"));
        var metrics = new Uri(options.Text("admin") + "/metrics");
        string exchange = options.Text("exchange");
        int count = options.Number("count", 5000);
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(options.Text("cacert", "config/certs/tls.crt")));
        var handler = TrustingHandler.Create(trusted);
        handler.MaxConnectionsPerServer = 32;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(1) };
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var factory = new ConnectionFactory { Uri = new Uri(options.Text("uri", "amqp://guest:guest@127.0.0.1:5672/")) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));

        var lines = new StringBuilder();
        foreach (bool callbackFirst in new[] { true, false })
        {
            var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToList();
            double before = await FulfilledAsync(admin, metrics);
            if (callbackFirst)
            {
                await PostCallbacksAsync(client, url, ids);
            }

            var clock = Stopwatch.StartNew();
            await RegisterAsync(channel, exchange + ".expectations", ids);
            double registered = clock.Elapsed.TotalSeconds;
            if (!callbackFirst)
            {
                await PostCallbacksAsync(client, url, ids);
            }

            while (await FulfilledAsync(admin, metrics) < before + count)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException($"not every expectation was fulfilled within 5 minutes ({await FulfilledAsync(admin, metrics) - before} of {count})");
                }

                await Task.Delay(50);
            }

            lines.AppendLine(CultureInfo.InvariantCulture,
                $"EXPECTATIONS order={(callbackFirst ? "callback-first" : "registration-first")} count={count} registered_per_s={count / registered:F0} fulfilled_per_s={count / clock.Elapsed.TotalSeconds:F0} seconds={clock.Elapsed.TotalSeconds:F1}");
        }

        return lines.ToString().TrimEnd();
    }

    private static async Task RegisterAsync(IChannel channel, string queue, List<string> ids)
    {
        var pending = new List<Task>(500);
        foreach (string id in ids)
        {
            byte[] body = Encoding.UTF8.GetBytes($$"""{"source":"bench","requestId":"{{id}}","respondWhen":"OnCallComplete"}""");
            pending.Add(channel.BasicPublishAsync(string.Empty, queue, mandatory: true,
                new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" }, body).AsTask());
            if (pending.Count == 500)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    private static async Task PostCallbacksAsync(HttpClient client, Uri url, List<string> ids)
    {
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                using var content = new StringContent(
                    $"RequestID={id}&ConversationID=&OverallStatusCode=OK&StatusCode=OK&StatusMessage=&ErrorCode=&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=&SequenceCode=",
                    Encoding.ASCII, "application/x-www-form-urlencoded");
                using var response = await client.PostAsync(url, content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new HttpRequestException($"a callback was answered {(int)response.StatusCode}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task<double> FulfilledAsync(HttpClient admin, Uri metrics)
    {
        string text = await admin.GetStringAsync(metrics);
        double total = 0;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("relay_reconciliation_expectations_total{", StringComparison.Ordinal)
                && line.Contains("relay_reconciliation_outcome=\"fulfilled\"", StringComparison.Ordinal))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}
