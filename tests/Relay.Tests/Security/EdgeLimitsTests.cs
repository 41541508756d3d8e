using System.Net;
using Relay.Infrastructure;

namespace Relay.Security;

/// <summary>Rate limits per client address, and an IPv6 allowlist on an IPv6 listener.</summary>
public sealed class EdgeLimitsTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task RateLimit_PastTheBurst_Is429PerAddress_ForAnythingButAValidCallback()
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:RateLimit:Burst"] = "3";
            settings["Relay:RateLimit:PermitsPerSecond"] = "1";
            settings["Relay:Allowlist:Networks:1"] = "127.0.0.2/32";
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var client = relay.CreateClient();

        var started = DateTime.UtcNow;
        var answers = new List<HttpStatusCode>();
        for (int i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/unknown/" + i);
            answers.Add(response.StatusCode);
        }

        // The burst, plus at most one permit per second that passed while sending.
        int passed = answers.Count(answer => answer == HttpStatusCode.NotFound);
        int replenished = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds);
        Assert.InRange(passed, 3, 3 + replenished);
        Assert.All(answers, answer => Assert.Contains(answer, new[] { HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);

        // The address's budget is spent, but a callback with a valid token is never limited.
        for (int i = 0; i < 5; i++)
        {
            using var callback = await client.PostAsync(relay.CallbackPath,
                new StringContent(CallbackForms.Success($"after-the-burst-{i}"), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        using var otherAddress = await Get(relay, Second, "/unknown/other-address");
        Assert.Equal(HttpStatusCode.NotFound, otherAddress.StatusCode);
        for (int i = 0; i < 5; i++)
        {
            await queue.ReceiveAsync();
        }

        await queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task WrongTokenFlood_FromAnAllowlistedAddress_CostsTheNextValidCallbackNothing()
    {
        // One permit a second: the bucket refills once a second, and at the default rate one refill between
        // the fifth and the sixth request of the flood gave it five more, so that no request was refused
        // (CI saw it). Now ten requests meet a 429 unless they take more than four seconds.
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:RateLimit:Burst"] = "5";
            settings["Relay:RateLimit:PermitsPerSecond"] = "1";
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var client = relay.CreateClient();
        string wrong = "/marketing-cloud/callbacks/" + new string('w', 40);

        var flood = new List<HttpStatusCode>();
        for (int i = 0; i < 10; i++)
        {
            using var response = await client.PostAsync(wrong,
                new StringContent(CallbackForms.Success("flood"), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
            flood.Add(response.StatusCode);
        }

        using var valid = await client.PostAsync(relay.CallbackPath,
            new StringContent(CallbackForms.Success("still-through"), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Contains(HttpStatusCode.TooManyRequests, flood);
        Assert.All(flood, answer => Assert.Contains(answer, new[] { HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("still-through", (await queue.ReceiveAsync()).Subject);
        await queue.AssertEmptyAsync();
    }

    private static async Task<HttpResponseMessage> Get(RelayServer relay, IPAddress from, string path)
    {
        using var client = relay.CreateClient(from);
        return await client.GetAsync(path);
    }

    [Fact]
    public async Task RateLimit_Defaults_LetABurstOf3000CallbacksFromOneAddressThrough()
    {
        await using var relay = await RelayServer.StartAsync();

        var load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, 3000, 16);

        Assert.True(load.Sent == load.Accepted.Count, load.ToString());
        Assert.False(load.Statuses.ContainsKey(HttpStatusCode.TooManyRequests), load.ToString());
    }

    [Theory]
    [InlineData("::1/128", HttpStatusCode.OK)]
    [InlineData("::1", HttpStatusCode.OK)]
    [InlineData("2001:db8::/32", null)] // closed before TLS
    public async Task Ipv6Allowlist_OnAnIpv6Listener_JudgesIpv6Clients(string rule, HttpStatusCode? expected)
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Kestrel:Endpoints:Public:Url"] = $"https://[::1]:{FreePort.Next()}";
            settings["Relay:Allowlist:Networks:0"] = rule;
        });

        Assert.Equal(expected, await EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(CallbackForms.Success())));
    }

    [Fact]
    public async Task BodyTrickledAboveTheMinimumRate_IsCutAtTheBodyTimeout_AndNothingIsPublished()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Callbacks:BodyTimeout"] = "00:00:02");
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var outcomes = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            relay.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Telemetry.RelayTelemetry.MeterName, "relay.callbacks");
        await using var raw = await RawTls.ConnectAsync(relay.PublicUri, relay.Certificate.Certificate);
        await raw.SendAsync($"POST {relay.CallbackPath} HTTP/1.1\r\nHost: localhost\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nRequestID=");

        // 400 bytes a second: above Kestrel's minimum rate (240), so only Relay's own deadline ends it.
        var started = DateTime.UtcNow;
        var trickle = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 60; i++)
                {
                    await Task.Delay(250);
                    await raw.SendAsync(new string('x', 100));
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The server cut the connection: what this test waits for.
            }
        });

        var (_, closed) = await raw.ReadToCloseAsync(TimeSpan.FromSeconds(10));

        Assert.True(closed, "a body still incomplete after Relay:Callbacks:BodyTimeout must be cut");
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 1.5, 8);
        await trickle;
        await queue.AssertEmptyAsync();
        Assert.Contains(outcomes.GetMeasurementSnapshot(), m => (string?)m.Tags["relay.callback.outcome"] == "body_incomplete");
    }
}
