using System.Net;
using Relay.Infrastructure;

namespace Relay.Native;

/// <summary>
/// Relay ships as a native (AOT) executable: what reflection the jitted build does freely (configuration
/// binding, options validation, dependency injection, YARP's configuration, the exporters) must work there
/// too. scripts/test.sh publishes that executable and these tests, like every <see cref="RelayProcess"/>
/// test, run it; under CI they fail when it is missing rather than test the jitted build in its place.
/// </summary>
public sealed class NativeBuildTests
{
    [Fact]
    public void TheProcessTests_RunTheNativeExecutable_AndUnderCiNothingElse()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } value && value != "false";
        if (RelayProcess.NativeBinary is { } native)
        {
            Assert.True(File.Exists(native), $"RELAY_TEST_NATIVE_BINARY names {native}, which does not exist.");
            byte[] magic = new byte[4];
            using (var file = File.OpenRead(native))
            {
                file.ReadExactly(magic);
            }

            Assert.True(magic is [0x7f, (byte)'E', (byte)'L', (byte)'F'], $"{native} is not a native executable");
        }
        else
        {
            // Outside CI, a plain 'dotnet test' runs the jitted build instead: say so, and check that it is there.
            Assert.False(ci, "CI runs the process tests against the native build: run them with scripts/test.sh, which publishes it and sets RELAY_TEST_NATIVE_BINARY.");
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Relay.dll")), "neither the native build nor Relay.dll is there to run");
        }
    }

    [Fact]
    public async Task Callback_IsPublishedAsACloudEvent_WithItsTrace()
    {
        await using var relay = await RelayProcess.StartAsync();
        await using var queue = await EventQueue.BindAsync(relay.Exchange);

        using var response = await relay.PostCallbackAsync(CallbackForms.WithErrors());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await queue.ReceiveAsync();
        Assert.Equal("callback.has-errors", message.RoutingKey);
        Assert.Equal("application/cloudevents+json", message.ContentType);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", message.Headers["traceparent"]);
        using var json = message.Json();
        var root = json.RootElement;
        Assert.Equal("com.salesforce.marketingcloud.async.callback", root.GetProperty("type").GetString());
        Assert.Equal("b7f3c1de-8a20-4f7e-9f1e-0c9d8e6a2b44", root.GetProperty("subject").GetString());
        var result = Assert.Single(root.GetProperty("data").GetProperty("results").EnumerateArray());
        Assert.Equal("CreateResult", result.GetProperty("@type").GetString());
    }

    [Fact]
    public async Task EnsBatch_WithABase64ReadKey_IsPublished_AndAVerificationIsVerified()
    {
        // The enum setting, the source's nested Ens section, the batch reader and the REST calls, native.
        string key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("a native signature key, decoded"));
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        await using var relay = await RelayProcess.StartAsync(settings =>
        {
            settings[EnsStandIn.KeySetting] = key;
            settings["Relay:Callbacks:Sources:test:Ens:SignatureKeyEncoding"] = "Base64";
            marketingCloud.Configure(settings);
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange, "ens.#");
        using var client = relay.CreateClient();

        string batch = EnsStandIn.Batch(2, "TransactionalSendEvents.EmailSent");
        Assert.Equal(HttpStatusCode.Unauthorized, await EnsStandIn.PostAsync(client, batch, EnsStandIn.Sign(batch, key)));
        Assert.Equal(HttpStatusCode.OK, await EnsStandIn.PostAsync(client, batch, EnsStandIn.Sign(batch, key, Core.Ens.EnsKeyEncoding.Base64)));
        for (int i = 0; i < 2; i++)
        {
            var message = await queue.ReceiveAsync();
            Assert.Equal("ens.transactionalsendevents.emailsent", message.RoutingKey);
            using var json = message.Json();
            Assert.Equal("com.salesforce.marketingcloud.ens.TransactionalSendEvents.EmailSent", json.RootElement.GetProperty("type").GetString());
        }

        string callbackId = marketingCloud.AddEnsCallback("https://relay.example.com" + EnsStandIn.Path);
        string verification = $$"""{"callbackId":"{{callbackId}}","verificationKey":"native-0123456789"}""";
        Assert.Equal(HttpStatusCode.OK, await EnsStandIn.PostAsync(client, verification, signature: null));
        Assert.Equal("ens.verification", (await queue.ReceiveAsync()).RoutingKey);
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(20), () => marketingCloud.Verifications.Count == 1, "the callback's verification");
    }

    [Fact]
    public async Task ProxiedRoute_ReachesItsBackend_BehindTheAllowlist()
    {
        int port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var backend = builder.Build();
        backend.MapGet("/internal/{**rest}", (HttpContext context) => $"backend {context.Request.Path}");
        await backend.StartAsync();
        await using var relay = await RelayProcess.StartAsync(settings =>
        {
            settings["ReverseProxy:Routes:internal:ClusterId"] = "backend";
            settings["ReverseProxy:Routes:internal:Match:Path"] = "/internal/{**rest}";
            settings["ReverseProxy:Clusters:backend:Destinations:only:Address"] = $"http://127.0.0.1:{port}/";
        });
        using var allowed = relay.CreateClient();
        using var outsider = relay.CreateClient(IPAddress.Parse("127.0.0.2"));

        using var proxied = await allowed.GetAsync("/internal/reports/7");

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("backend /internal/reports/7", await proxied.Content.ReadAsStringAsync());
        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => outsider.GetAsync("/internal/reports/7")));
    }

    [Fact]
    public async Task AdminListener_ServesReadinessAndMetrics()
    {
        await using var relay = await RelayProcess.StartAsync();
        using var callback = await relay.PostCallbackAsync(CallbackForms.Success());
        using var admin = new HttpClient { BaseAddress = relay.AdminUri, Timeout = TimeSpan.FromSeconds(10) };

        string metrics = await admin.GetStringAsync("/metrics");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await relay.ReadinessAsync());
        Assert.Contains("relay_callbacks_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("relay_broker_connected ", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_LogsTheGcBudget_TheNativeBuildCapsAt16MiB_AndTheEnvironmentOverrides()
    {
        // The native build is given GCGen0MaxBudget (src/Relay/Relay.csproj); the environment overrides it in either.
        await using var shipped = await RelayProcess.StartAsync();
        await using var overridden = await RelayProcess.StartAsync(environment: new Dictionary<string, string> { ["DOTNET_GCGen0MaxBudget"] = "2000000" });

        // The jitted build's budget is the GC's own choice for this machine's cache.
        string expected = RelayProcess.NativeBinary is null
            ? "Runtime: jitted code, workstation with background collections GC, gen0 budget at most "
            : "Runtime: native code, workstation with background collections GC, gen0 budget at most 16 MiB, ConserveMemory 7";
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(10), () => shipped.Log.Contains("Runtime: ", StringComparison.Ordinal), "the runtime's line");
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(10), () => overridden.Log.Contains("Runtime: ", StringComparison.Ordinal), "the runtime's line");
        Assert.Contains(expected, shipped.Log, StringComparison.Ordinal);
        Assert.Contains("gen0 budget at most 32 MiB", overridden.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Relay:RabbitMq:Exchnage", "typo", "Relay:RabbitMq:Exchnage")]
    [InlineData("Relay:Callbacks:MaxBodyBytes", "0", "Relay:Callbacks:MaxBodyBytes")]
    [InlineData("Relay:Shutdown:DrainPeriod", "-00:00:01", "Relay:Shutdown:DrainPeriod")]
    [InlineData("Relay:Callbacks:Sources:test:Token", "typo", "Relay:Callbacks:Sources:test:Token")]
    public async Task BadSetting_StopsIt_NamingTheKey(string key, string value, string named)
    {
        var (exitCode, log) = await RelayProcess.StartupFailureAsync(settings => settings[key] = value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(named, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenRelayJson_StopsItWithExitCode2_NamingTheFile()
    {
        var (exitCode, log) = await RelayProcess.StartupFailureAsync(_ => { }, prepare: contentRoot =>
        {
            Directory.CreateDirectory(Path.Combine(contentRoot, "config"));
            File.WriteAllText(Path.Combine(contentRoot, "config", "relay.json"), "{ \"Relay\": ");
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("config/relay.json: not valid JSON", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_RepublishesFromTheArchive_AndLogsWhoRanIt()
    {
        await using var relay = await RelayProcess.StartAsync();
        using (var callback = await relay.PostCallbackAsync(CallbackForms.WithErrors("native-replay")))
        {
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        await ArchiveStream.ReadAsync(relay.Exchange, expected: 1);
        await using var target = await TestQueue.DeclareAsync();

        var (exitCode, output, error) = await relay.RunCommandAsync("replay", "--request-id", "native-replay", "--to-queue", target.Name,
            $"--Relay:RabbitMq:Uri={TestBroker.Uri}", $"--Relay:RabbitMq:Exchange={relay.Exchange}");

        Assert.True(exitCode == 0, error);
        Assert.Equal("read 1, matched 1, published 1", output.Trim());
        Assert.Contains($"started by {Environment.UserName} on", error, StringComparison.Ordinal);
        Assert.Contains("--request-id native-replay --to-queue " + target.Name, error, StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", error, StringComparison.Ordinal);
        var replayed = Assert.Single(await target.TakeAllAsync());
        Assert.Equal("True", replayed.Headers["relay-replayed"]);
    }
}
