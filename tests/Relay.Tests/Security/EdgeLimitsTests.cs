using System.Net;
using Relay.Infrastructure;

namespace Relay.Security;

/// <summary>Rate limits per client address, and an IPv6 allowlist on an IPv6 listener.</summary>
public sealed class EdgeLimitsTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task RateLimit_PastTheBurst_Is429PerAddress_AndPublishesNothing()
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
            using var response = await client.PostAsync(relay.CallbackPath,
                new StringContent(CallbackForms.Success($"burst-{i}"), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
            answers.Add(response.StatusCode);
        }

        // The burst, plus at most one permit per second that passed while sending.
        int accepted = answers.Count(answer => answer == HttpStatusCode.OK);
        int replenished = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds);
        Assert.InRange(accepted, 3, 3 + replenished);
        Assert.All(answers, answer => Assert.Contains(answer, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);

        using var otherAddress = await relay.PostCallbackAsync(CallbackForms.Success("other-address"), from: Second);
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
        for (int i = 0; i < accepted + 1; i++)
        {
            await queue.ReceiveAsync();
        }

        await queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task RateLimit_Defaults_LetABurstOf1000CallbacksFromOneAddressThrough()
    {
        await using var relay = await RelayServer.StartAsync();

        var load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, 1000, 16);

        Assert.True(load.Sent == load.Accepted.Count, load.ToString());
        Assert.False(load.Statuses.ContainsKey(HttpStatusCode.TooManyRequests), load.ToString());
    }

    [Theory]
    [InlineData("::1/128", HttpStatusCode.OK)]
    [InlineData("::1", HttpStatusCode.OK)]
    [InlineData("2001:db8::/32", HttpStatusCode.Forbidden)]
    public async Task Ipv6Allowlist_OnAnIpv6Listener_JudgesIpv6Clients(string rule, HttpStatusCode expected)
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Kestrel:Endpoints:Public:Url"] = $"https://[::1]:{FreePort.Next()}";
            settings["Relay:Allowlist:Networks:0"] = rule;
        });

        using var response = await relay.PostCallbackAsync(CallbackForms.Success());

        Assert.Equal(expected, response.StatusCode);
    }
}
