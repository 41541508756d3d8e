using System.Net;
using Relay.Infrastructure;

namespace Relay.Configuration;

/// <summary>What an operator's edit of a running Relay's relay.json does: a bad one changes nothing.</summary>
public sealed class ConfigurationReloadTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task BadEdit_KeepsEverySettingInForce_NamesTheKey_AndALaterGoodEditApplies()
    {
        await using var relay = await RelayProcess.StartAsync(prepare: contentRoot => WriteConfig(contentRoot, "[]"));

        // Bits past the prefix: refused at start, and on reload too.
        WriteConfig(relay, "[\"127.0.0.9\", \"10.0.0.1/8\"]");
        await WaitForAsync(() => relay.Log.Contains("Configuration reload rejected", StringComparison.Ordinal));

        Assert.Contains("Relay:Allowlist:Networks:2", relay.Log, StringComparison.Ordinal);
        Assert.Null(relay.ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await relay.ReadinessAsync()).Status);
        using (var callback = await relay.PostCallbackAsync(CallbackForms.Success("after-a-bad-edit")))
        {
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        // Another edit while the bad value is still there is refused the same way, never a crash.
        WriteConfig(relay, "[\"127.0.0.8\", \"10.0.0.1/8\"]");
        await WaitForAsync(() => Rejections(relay) == 2);
        Assert.Null(relay.ExitCode);

        WriteConfig(relay, "[\"127.0.0.2/32\"]");
        using var second = relay.CreateClient(Second);
        Assert.Equal(HttpStatusCode.OK, await WithinAsync(TimeSpan.FromSeconds(10),
            () => EdgeAnswer.OfAsync(() => second.PostAsync(relay.CallbackPath,
                new StringContent(CallbackForms.Success("after-a-good-edit"), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")))));
        Assert.Null(relay.ExitCode);
    }

    [Fact]
    public async Task BackgroundServiceFailure_StopsRelayWithANonZeroExitCode()
    {
        var certificate = TestCertificate.Create();
        try
        {
            var app = RelayServer.Build(RelayServer.DefaultSettings(certificate),
                configure: builder => builder.Services.AddHostedService<FailingService>());

            int exitCode = await Program.RunAsync(app).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, exitCode);
        }
        finally
        {
            certificate.Dispose();
        }
    }

    private static int Rejections(RelayProcess relay) =>
        relay.Log.Split('\n').Count(line => line.Contains("Configuration reload rejected", StringComparison.Ordinal));

    private static void WriteConfig(RelayProcess relay, string networks) => WriteConfig(Path.GetDirectoryName(Path.GetDirectoryName(relay.ConfigFile)!)!, networks);

    private static void WriteConfig(string contentRoot, string networks)
    {
        string file = Path.Combine(contentRoot, "config", "relay.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // The test's own network comes from the command line as entry 0; the file's entries follow it.
        File.WriteAllText(file, $$"""{ "Relay": { "Allowlist": { "Networks": ["127.0.0.1/32", {{networks.Trim('[', ']')}}] } } }""".Replace(", ]", "]", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    private static async Task<HttpStatusCode?> WithinAsync(TimeSpan limit, Func<Task<HttpStatusCode?>> probe)
    {
        var deadline = DateTime.UtcNow + limit;
        HttpStatusCode? answer;
        while ((answer = await probe()) != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        return answer;
    }

    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(500, stoppingToken);
            throw new InvalidOperationException("a background service failed, as a test makes it");
        }
    }
}
