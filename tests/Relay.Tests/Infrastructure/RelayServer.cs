using System.Net;

namespace Relay.Infrastructure;

/// <summary>
/// Relay itself, composed by <see cref="Program.Build"/> and served by Kestrel over HTTPS on loopback
/// ports, publishing to a real RabbitMQ into an exchange of its own so tests do not see each other.
/// </summary>
internal sealed class RelayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificate _certificate;
    private readonly string _contentRoot;

    private RelayServer(WebApplication app, TestCertificate certificate, string contentRoot, Dictionary<string, string?> settings)
    {
        _app = app;
        _certificate = certificate;
        _contentRoot = contentRoot;
        Settings = settings;
        PublicUri = new Uri(settings["Kestrel:Endpoints:Public:Url"]!);
        AdminUri = new Uri(settings["Kestrel:Endpoints:Admin:Url"]!);
        Exchange = settings["Relay:RabbitMq:Exchange"]!;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public Uri PublicUri { get; }

    public Uri AdminUri { get; }

    public string Exchange { get; }

    /// <summary>The secret token of the test source "test"; callback URLs are <c>{Path}/{token}</c>.</summary>
    public const string Token = "test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7";

    /// <summary>The callback URL's path: <c>/marketing-cloud/callbacks/{token}</c>.</summary>
    public string CallbackPath => (Settings.GetValueOrDefault("Relay:Callbacks:Path") ?? "/marketing-cloud/callbacks") + "/" + Token;

    /// <summary>The events' source: the base source and the source's name.</summary>
    public const string EventSource = "/marketing-cloud/callbacks/test";

    public IServiceProvider Services => _app.Services;

    public string ContentRoot => _contentRoot;

    /// <summary>The PEM files the Public listener serves; rewrite them to rotate the certificate.</summary>
    public TestCertificate Certificate => _certificate;

    /// <summary>Events waiting in this Relay's outbox.</summary>
    public long OutboxDepth => Services.GetRequiredService<Outbox.LocalOutbox>().Depth;

    public async Task WaitForBrokerAsync(TimeSpan? timeout = null)
    {
        var broker = Services.GetRequiredService<Publishing.BrokerConnection>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (broker.State != Publishing.BrokerState.Connected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Relay is not connected to the broker: {broker.State}.");
            }

            await Task.Delay(100);
        }
    }

    public async Task WaitForEmptyOutboxAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Services.GetRequiredService<Outbox.LocalOutbox>().IsEmpty)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The outbox still holds {OutboxDepth} events.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The default settings of a test Relay: only 127.0.0.1 allowed, a fresh exchange.</summary>
    public static Dictionary<string, string?> DefaultSettings(TestCertificate certificate) => new()
    {
        ["Kestrel:Endpoints:Public:Url"] = $"https://127.0.0.1:{FreePort.Next()}",
        ["Kestrel:Endpoints:Public:Certificate:Path"] = certificate.CertificatePath,
        ["Kestrel:Endpoints:Public:Certificate:KeyPath"] = certificate.KeyPath,
        ["Kestrel:Endpoints:Admin:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        ["Relay:Allowlist:Networks:0"] = "127.0.0.1/32",
        ["Relay:Callbacks:Sources:test:Tokens:0"] = Token,
        ["Relay:RabbitMq:Uri"] = TestBroker.Uri,
        ["Relay:RabbitMq:Exchange"] = "relay-test-" + Guid.NewGuid().ToString("N")[..12],
        ["Relay:RabbitMq:MaxReconnectDelay"] = "00:00:00.500",
        ["Relay:Shutdown:DrainPeriod"] = "00:00:00",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Composes Relay from the given settings (command-line form) without starting it.</summary>
    public static WebApplication Build(Dictionary<string, string?> settings, string? contentRoot = null, Action<WebApplicationBuilder>? configure = null)
    {
        contentRoot ??= Directory.CreateTempSubdirectory("relay-content-").FullName;
        var args = settings
            .Where(setting => setting.Value is not null)
            .Select(setting => $"--{setting.Key}={setting.Value}")
            .Prepend($"--contentRoot={contentRoot}")
            .ToArray();
        return Program.Build(args, configure);
    }

    public static async Task<RelayServer> StartAsync(
        Action<Dictionary<string, string?>>? configure = null,
        Action<WebApplicationBuilder>? services = null,
        bool waitUntilReady = true)
    {
        var certificate = TestCertificate.Create();
        var settings = DefaultSettings(certificate);
        configure?.Invoke(settings);
        string contentRoot = Directory.CreateTempSubdirectory("relay-content-").FullName;
        var app = Build(settings, contentRoot, services);
        await app.StartAsync();
        var server = new RelayServer(app, certificate, contentRoot, settings);
        if (waitUntilReady)
        {
            await server.WaitForBrokerAsync();
            await server.WaitUntilReadyAsync();
        }

        return server;
    }

    /// <summary>An HTTPS client of the Public listener, connecting from <paramref name="from"/> (default 127.0.0.1).</summary>
    public HttpClient CreateClient(IPAddress? from = null, Func<Stream, CancellationToken, Task>? preamble = null) =>
        TestClients.Create(PublicUri, _certificate.Certificate, from, preamble);

    public HttpClient CreateAdminClient() => new() { BaseAddress = AdminUri, Timeout = TimeSpan.FromSeconds(10) };

    public async Task<HttpStatusCode> ReadinessAsync()
    {
        using var admin = CreateAdminClient();
        using var response = await admin.GetAsync("/readyz");
        return response.StatusCode;
    }

    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null) => await WaitForReadinessAsync(HttpStatusCode.OK, timeout);

    public async Task WaitForReadinessAsync(HttpStatusCode expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await ReadinessAsync() != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/readyz did not answer {expected} within {timeout ?? TimeSpan.FromSeconds(30)}.");
            }

            await Task.Delay(100);
        }
    }

    public async Task<HttpResponseMessage> PostCallbackAsync(string form, IPAddress? from = null)
    {
        using var client = CreateClient(from);
        return await client.PostAsync(CallbackPath, new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
    }

    public async ValueTask DisposeAsync()
    {
        // Whatever a test threw at it, Relay must still be alive at the end.
        using (var admin = CreateAdminClient())
        using (var health = await admin.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await TestBroker.DeleteTopologyAsync(Exchange);
        _certificate.Dispose();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
