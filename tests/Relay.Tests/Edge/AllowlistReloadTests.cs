using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Relay.Infrastructure;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>The allowlist as managed data: reloaded from its files, never applied when broken.</summary>
public sealed class AllowlistReloadTests : IDisposable
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("relay-allowlist-").FullName, "allowlist.txt");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Fact]
    public async Task ListFile_Changed_IsInForceWithin5Seconds()
    {
        await File.WriteAllTextAsync(_file, "# provenance\n127.0.0.1/32\n");
        await using var relay = await StartWithFileAsync();
        Assert.Equal(EdgeAnswer.Closed, await StatusFrom(relay, Second));

        await File.WriteAllTextAsync(_file, "# provenance\n127.0.0.0/8\n");

        Assert.Equal(HttpStatusCode.OK, await WithinAsync<HttpStatusCode?>(TimeSpan.FromSeconds(5), () => StatusFrom(relay, Second), HttpStatusCode.OK));
    }

    [Theory]
    [InlineData("127.0.0.1/32\nnot-a-network\n")]
    [InlineData("127.0.0.1/33\n")]
    [InlineData("# everything commented out\n")]
    [InlineData("")]
    public async Task ListFile_BrokenOrEmpty_KeepsThePreviousListInForce(string broken)
    {
        await File.WriteAllTextAsync(_file, "127.0.0.0/8\n");
        await using var relay = await StartWithFileAsync();
        using var reloads = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName, "relay.allowlist.reloads");

        await File.WriteAllTextAsync(_file, broken);
        await WithinAsync(TimeSpan.FromSeconds(5), () => Task.FromResult(reloads.GetMeasurementSnapshot().Count), 1);

        Assert.Equal("rejected", reloads.LastMeasurement!.Tags["relay.allowlist.result"]);
        Assert.Equal(HttpStatusCode.OK, await StatusFrom(relay, Second));
        Assert.Equal(HttpStatusCode.OK, await StatusFrom(relay, IPAddress.Loopback));
    }

    [Fact]
    public async Task ShadowList_DecidesNothing_ButCountsEveryDisagreement()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Allowlist:Shadow:Networks:0"] = "127.0.0.2/32");
        using var disagreements = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName,
            "relay.allowlist.shadow_disagreements");

        Assert.Equal(EdgeAnswer.Closed, await StatusFrom(relay, Second));
        Assert.Equal(HttpStatusCode.OK, await StatusFrom(relay, IPAddress.Loopback));

        Assert.Equal(["refused", "allowed"], disagreements.GetMeasurementSnapshot().Select(m => (string?)m.Tags["relay.edge.decision"]));
    }

    [Fact]
    public async Task AllowAll_DevelopmentSwitch_LetsEveryAddressIn()
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings.Remove("Relay:Allowlist:Networks:0");
            settings["Relay:Allowlist:AllowAll"] = "true";
        });

        Assert.Equal(HttpStatusCode.OK, await StatusFrom(relay, Second));
    }

    private Task<RelayServer> StartWithFileAsync() => RelayServer.StartAsync(settings =>
    {
        settings.Remove("Relay:Allowlist:Networks:0");
        settings["Relay:Allowlist:Files:0"] = _file;
    });

    private static Task<HttpStatusCode?> StatusFrom(RelayServer relay, IPAddress from) =>
        EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(CallbackForms.Success(), from));

    private static async Task<T> WithinAsync<T>(TimeSpan limit, Func<Task<T>> probe, T expected)
    {
        var deadline = DateTime.UtcNow + limit;
        T value;
        while (!EqualityComparer<T>.Default.Equals(value = await probe(), expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return value;
    }
}
