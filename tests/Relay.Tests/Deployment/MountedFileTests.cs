using System.Net;
using Relay.Infrastructure;

namespace Relay.Deployment;

/// <summary>
/// The files Relay reloads, mounted as Kubernetes mounts a ConfigMap or Secret: links into a <c>..data</c>
/// folder that an update swaps in one rename. Each must be followed within a few seconds, with no special
/// environment variable.
/// </summary>
public sealed class MountedFileTests : IDisposable
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly string _root = Directory.CreateTempSubdirectory("relay-mounted-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task AllowlistFile_SwappedThroughDataLink_IsInForceWithinSeconds()
    {
        var volume = new KubernetesVolume(Path.Combine(_root, "allowlist"), new Dictionary<string, string> { ["ranges.txt"] = "127.0.0.1/32\n" });
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings.Remove("Relay:Allowlist:Networks:0");
            settings["Relay:Allowlist:Files:0"] = volume.PathOf("ranges.txt");
        });
        Assert.Equal(EdgeAnswer.Closed, await StatusFrom(relay, Second));

        volume.Swap(new Dictionary<string, string> { ["ranges.txt"] = "127.0.0.0/8\n" });

        Assert.Equal(HttpStatusCode.OK, await Eventually.ValueAsync(Within, () => StatusFrom(relay, Second), status => status == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Certificate_SwappedThroughDataLink_IsServedWithinSeconds()
    {
        using var first = TestCertificate.Create("relay-mounted-first");
        using var renewed = TestCertificate.Create("relay-mounted-renewed");
        var volume = new KubernetesVolume(Path.Combine(_root, "tls"), Pair(first));
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Kestrel:Endpoints:Public:Certificate:Path"] = volume.PathOf("tls.crt");
            settings["Kestrel:Endpoints:Public:Certificate:KeyPath"] = volume.PathOf("tls.key");
        });
        Assert.Equal(first.Certificate.Thumbprint, (await TlsHandshake.WithAsync(relay.PublicUri.Port)).Certificate);

        volume.Swap(Pair(renewed));

        var served = await Eventually.ValueAsync(Within, async () => (await TlsHandshake.WithAsync(relay.PublicUri.Port)).Certificate,
            thumbprint => thumbprint == renewed.Certificate.Thumbprint);
        Assert.Equal(renewed.Certificate.Thumbprint, served);
    }

    [Fact]
    public async Task ConfigurationFile_SwappedThroughDataLink_IsAppliedWithinSeconds()
    {
        KubernetesVolume? volume = null;
        await using var relay = await RelayProcess.StartAsync(
            environment: new Dictionary<string, string> { ["DOTNET_USE_POLLING_FILE_WATCHER"] = "false" },
            prepare: contentRoot => volume = new KubernetesVolume(Path.Combine(contentRoot, "config"), Config("127.0.0.1/32")));
        using var second = relay.CreateClient(Second);
        Assert.Equal(EdgeAnswer.Closed, await StatusFrom(second, relay.CallbackPath));

        volume!.Swap(Config("127.0.0.2/32"));

        Assert.Equal(HttpStatusCode.OK, await Eventually.ValueAsync(Within, () => StatusFrom(second, relay.CallbackPath), status => status == HttpStatusCode.OK));
        Assert.Null(relay.ExitCode);
    }

    /// <summary>relay.json allowing 127.0.0.1 (which the test's command line also sets, as entry 0) and <paramref name="network"/>.</summary>
    private static Dictionary<string, string> Config(string network) => new()
    {
        ["relay.json"] = $$"""{ "Relay": { "Allowlist": { "Networks": ["127.0.0.1/32", "{{network}}"] } } }""",
    };

    private static Dictionary<string, string> Pair(TestCertificate certificate) => new()
    {
        ["tls.crt"] = File.ReadAllText(certificate.CertificatePath),
        ["tls.key"] = File.ReadAllText(certificate.KeyPath),
    };

    private static Task<HttpStatusCode?> StatusFrom(RelayServer relay, IPAddress from) =>
        EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(CallbackForms.Success(), from));

    private static Task<HttpStatusCode?> StatusFrom(HttpClient client, string path) =>
        EdgeAnswer.OfAsync(() => client.PostAsync(path, new StringContent(CallbackForms.Success(), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")));
}
