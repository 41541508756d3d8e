using System.Net;
using Relay.Infrastructure;

namespace Relay.Configuration;

/// <summary>A configuration that cannot work stops Relay at start with a message that names the key.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TestCertificate _certificate = TestCertificate.Create();

    public void Dispose() => _certificate.Dispose();

    [Theory]
    [InlineData("Relay:Allowlist:Networks:0", "10.0.0.1/33", "Relay:Allowlist:Networks:0")]
    [InlineData("Relay:Allowlist:Networks:0", "10.0.0.1/8", "Relay:Allowlist:Networks:0")]
    [InlineData("Relay:Allowlist:Networks:0", "not-an-address", "Relay:Allowlist:Networks:0")]
    [InlineData("Relay:Allowlist:Files:0", "/nonexistent/allowlist.txt", "Relay:Allowlist:Files:0")]
    [InlineData("Relay:ForwardedHeaders:KnownProxies:0", "proxy.example", "Relay:ForwardedHeaders:KnownProxies:0")]
    [InlineData("Relay:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "Relay:ForwardedHeaders:KnownNetworks:0")]
    [InlineData("Relay:RabbitMq:Exchnage", "typo", "Relay:RabbitMq:Exchnage")]
    [InlineData("Relay:RabbitMq:Exchange", "amq.topic", "Relay:RabbitMq:Exchange")]
    [InlineData("Relay:RabbitMq:ConfirmTimeout", "00:10:00", "Relay:RabbitMq:ConfirmTimeout")]
    [InlineData("Relay:RabbitMq:Uri", "http://broker", "Relay:RabbitMq:Uri")]
    [InlineData("Relay:RabbitMq:Hosts:0", "node-2:99999", "Relay:RabbitMq:Hosts:0")]
    [InlineData("Relay:RabbitMq:Hosts:0", "amqp://node-1", "Relay:RabbitMq:Hosts:0")]
    [InlineData("Relay:RabbitMq:UnroutedQueueType", "stream", "Relay:RabbitMq:UnroutedQueueType")]
    [InlineData("Relay:Callbacks:Path", "callbacks/", "Relay:Callbacks:Path")]
    [InlineData("Relay:Callbacks:MaxBodyBytes", "0", "Relay:Callbacks:MaxBodyBytes")]
    [InlineData("Relay:Callbacks:MaxBufferedBytes", "1048576", "Relay:Callbacks:MaxBufferedBytes")]
    [InlineData("Relay:Outboxx:Path", "/tmp/x", "Relay:Outboxx")]
    [InlineData("Relay:Outbox:Path", "/proc/relay-outbox", "Relay:Outbox:Path")]
    [InlineData("Relay:Outbox:MaxEntries", "0", "Relay:Outbox:MaxEntries")]
    [InlineData("Relay:Shutdown:DrainPeriod", "-00:00:01", "Relay:Shutdown:DrainPeriod")]
    [InlineData("Relay:Callbacks:Sources:test:Tokens:0", "short", "Relay:Callbacks:Sources:test:Tokens:0")]
    [InlineData("Relay:Callbacks:Sources:test:Tokens:0", "has spaces and a slash / in it, 40 characters long", "Relay:Callbacks:Sources:test:Tokens:0")]
    [InlineData("Relay:Callbacks:Sources:test:Tokens:1", RelayServer.Token, "Relay:Callbacks:Sources:test:Tokens:1")]
    [InlineData("Relay:Callbacks:Sources:bad name:Tokens:0", "another-token-0123456789abcdef0123456789", "Relay:Callbacks:Sources:bad name")]
    [InlineData("Relay:Callbacks:Sources:test:Token", "typo", "Relay:Callbacks:Sources:test:Token")]
    [InlineData("Kestrel:Endpoints:Public:Url", "http://127.0.0.1:1", "Kestrel:Endpoints:Public:Url")]
    [InlineData("Kestrel:Endpoints:Public:Certificate:Path", "/nonexistent/tls.crt", "Kestrel:Endpoints:Public:Certificate:Path")]
    [InlineData("Kestrel:Endpoints:Extra:Url", "http://127.0.0.1:1", "Kestrel:Endpoints:Extra")]
    // Secrets are described, never echoed.
    [InlineData("Relay:Callbacks:Sources:test:Tokens:0", "secret!secret!secret!secret!secret!secret!", "Relay:Callbacks:Sources:test:Tokens:0", "secret!")]
    [InlineData("Relay:RabbitMq:Uri", "http://relay:s3cr3t-pa55@broker:5672/", "Relay:RabbitMq:Uri", "s3cr3t-pa55")]
    public async Task Start_BadSetting_FailsNamingTheKey(string key, string value, string named, string? secret = null)
    {
        var settings = RelayServer.DefaultSettings(_certificate);
        settings[key] = value;

        string message = await StartupFailureAsync(settings);

        Assert.Contains(named, message, StringComparison.Ordinal);
        if (secret is not null)
        {
            Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_PortTaken_FailsSayingSo_AndNothingElseFails()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, log) = await RelayProcess.StartupFailureAsync(settings =>
            settings["Kestrel:Endpoints:Admin:Url"] = $"http://127.0.0.1:{port}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("address already in use", log, StringComparison.Ordinal);
        // The services stopped because the start failed; they did not fail themselves (the ENS verifier did).
        Assert.DoesNotContain("BackgroundService failed", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Relay:Callbacks:Sources:test:Tokens:0", "Relay:Callbacks:Sources", "Relay:Callbacks:AllowTokenless")]
    [InlineData("Relay:Allowlist:Networks:0", "Relay:Allowlist:Networks", "Relay:Allowlist:AllowAll")]
    public async Task Start_NothingLeftToAllow_FailsNamingWhatToSet(string removed, string named, string developmentSwitch)
    {
        var settings = RelayServer.DefaultSettings(_certificate);
        settings.Remove(removed);

        string message = await StartupFailureAsync(settings);

        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Contains(developmentSwitch, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8\n# comment\n10.0.0.1/33\n", "Relay:Allowlist:Files:0 ('{0}' line 3)")]
    [InlineData("# nothing but comments\n\n", "Relay:Allowlist:Files: the files hold no network")]
    public async Task Start_BadListFile_FailsNamingTheFileAndLine(string content, string named)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("relay-allowlist-").FullName, "allowlist.txt");
        await File.WriteAllTextAsync(file, content);
        var settings = RelayServer.DefaultSettings(_certificate);
        settings.Remove("Relay:Allowlist:Networks:0");
        settings["Relay:Allowlist:Files:0"] = file;

        string message = await StartupFailureAsync(settings);

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, named, file), message, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public void AllowlistValidator_ChecksTheShapeOnly_AndReadsNoFile()
    {
        var configuration = new ConfigurationBuilder().Build();
        var validator = new Edge.AllowlistOptionsValidator(configuration);

        var unread = validator.Validate(null, new Edge.AllowlistOptions { Files = ["/nonexistent/allowlist.txt"] });
        var blank = validator.Validate(null, new Edge.AllowlistOptions { Files = [" "], Networks = ["10.0.0.1/33"] });

        Assert.True(unread.Succeeded);
        Assert.Contains("Relay:Allowlist:Files:0: is empty", blank.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Relay:Allowlist:Networks:0", blank.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EveryBadKey_IsReportedAtOnce()
    {
        var settings = RelayServer.DefaultSettings(_certificate);
        settings["Relay:RabbitMq:Exchange"] = "amq.direct";
        settings["Relay:RabbitMq:ConfirmTimeout"] = "00:00:00";

        string message = await StartupFailureAsync(settings);

        Assert.Contains("Relay:RabbitMq:Exchange", message, StringComparison.Ordinal);
        Assert.Contains("Relay:RabbitMq:ConfirmTimeout", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShippedConfiguration_IsValidAndAllowsOnlyMarketingCloud()
    {
        // The shipped file has no source: a deployment adds its own (here the tests'), with a secret token.
        var settings = RelayServer.DefaultSettings(_certificate);
        settings.Remove("Relay:Allowlist:Networks:0");
        settings["Relay:Outbox:Path"] = Directory.CreateTempSubdirectory("relay-outbox-").FullName;
        var app = RelayServer.Build(settings, contentRoot: RepositoryRoot.Path);
        await app.StartAsync();
        try
        {
            using var client = TestClients.Create(new Uri(settings["Kestrel:Endpoints:Public:Url"]!), _certificate.Certificate);

            // Loopback is not Marketing Cloud: its connection is closed as it is accepted.
            Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => client.GetAsync("/marketing-cloud/callbacks/" + RelayServer.Token)));
            var allowlist = app.Services.GetRequiredService<Edge.AllowlistProvider>().Current.Active;
            Assert.True(allowlist.TryMatch(IPAddress.Parse("13.111.20.1"), out _));
            Assert.True(allowlist.TryMatch(IPAddress.Parse("2a03:5d60::1"), out _));
            Assert.False(allowlist.TryMatch(IPAddress.Loopback, out _));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<string> StartupFailureAsync(Dictionary<string, string?> settings)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = RelayServer.Build(settings);
            await app.StartAsync();
        });
        return failure.ToString();
    }
}
