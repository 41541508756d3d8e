using System.Net;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Reconciliation;

/// <summary>
/// Two Relay processes reconcile one exchange: one at a time (single active consumer), and when the
/// active one is killed in the middle of its work, the other takes over and no expectation is lost.
/// </summary>
public sealed class ReconciliationTakeoverTests
{
    [Fact]
    public async Task KillingTheActiveInstance_LosesNoExpectation()
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        marketingCloud.SoapDelay = TimeSpan.FromMilliseconds(200);
        string exchange = "relay-test-" + Guid.NewGuid().ToString("N")[..12];
        void Configure(Dictionary<string, string?> settings)
        {
            settings["Relay:RabbitMq:Exchange"] = exchange;
            settings["Relay:Reconciliation:Concurrency"] = "1";
            marketingCloud.Configure(settings);
            ReconcilingRelay.Settings(settings, "00:00:30");
        }

        await using var first = await RelayProcess.StartAsync(Configure);
        await WaitForLogAsync(first, "Reconciliation connected");
        await using var second = await RelayProcess.StartAsync(Configure);
        await WaitForLogAsync(second, "Reconciliation connected");
        await using var events = await EventQueue.BindAsync(exchange);

        var before = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid().ToString()).ToList();
        var after = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (string requestId in before.Concat(after))
        {
            marketingCloud.AddResult(requestId);
        }

        Assert.Equal(HttpStatusCode.Accepted, await RegisterAsync(first, before));
        var received = new List<ReceivedMessage>();
        while (received.Count < 3)
        {
            received.Add(await events.ReceiveAsync(TimeSpan.FromSeconds(20)));
        }

        // Mid-work: some recovered, one retrieve likely in flight, the rest waiting in the queues.
        first.Kill();
        Assert.Equal(HttpStatusCode.Accepted, await RegisterAsync(second, after));
        var expected = before.Concat(after).ToHashSet();
        while (!expected.IsSubsetOf(received.Select(message => message.Subject!)))
        {
            received.Add(await events.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        // Every expectation settled (none waiting, none taken and unacknowledged), so any duplicate of a
        // repeated retrieve has been published: then read what is left.
        string[] queues = [exchange + ".expectations", exchange + ".expectations.grace", exchange + ".expectations.retry"];
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(60), async () => (await Task.WhenAll(queues.Select(BrokerManagement.MessagesAsync))).All(messages => messages == 0),
            "every expectation to be settled");
        while (true)
        {
            try
            {
                received.Add(await events.ReceiveAsync(TimeSpan.FromMilliseconds(200)));
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        // Each call once, or at worst twice with the same id (a retrieve repeated after the takeover).
        Assert.Equal(expected, received.Select(message => message.Subject!).ToHashSet());
        Assert.All(received.GroupBy(message => message.Subject), calls => Assert.Single(calls.Select(message => message.MessageId).Distinct()));
        Assert.InRange(received.Count, expected.Count, expected.Count + 1);
        Assert.True(first.Log.Contains("Recovered call", StringComparison.Ordinal), "the first instance was the active one");
        Assert.True(second.Log.Contains("Recovered call", StringComparison.Ordinal), "the second instance took over");

        // Neither the client secret nor any access token is in what either instance logged.
        string logs = first.Log + second.Log;
        Assert.DoesNotContain(MarketingCloudStandIn.ClientSecret, logs, StringComparison.Ordinal);
        Assert.NotEmpty(marketingCloud.IssuedTokens);
        Assert.All(marketingCloud.IssuedTokens, token => Assert.DoesNotContain(token, logs, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<HttpStatusCode> RegisterAsync(RelayProcess relay, IEnumerable<string> requestIds)
    {
        using var admin = new HttpClient { BaseAddress = relay.AdminUri, Timeout = TimeSpan.FromSeconds(10) };
        string json = "[" + string.Join(',', requestIds.Select(id => ReconcilingRelay.Expectation(id, "OnError"))) + "]";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/expectations", content);
        return response.StatusCode;
    }

    private static async Task WaitForLogAsync(RelayProcess relay, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!relay.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Relay did not log '{text}':\n{relay.Log}");
            await Task.Delay(100);
        }
    }
}
