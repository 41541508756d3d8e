using System.Net;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Edge;

public sealed class AllowlistTests
{
    private static readonly IPAddress Outsider = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Callback_FromOutsideTheAllowlist_IsClosedBeforeTls_AndPublishesNothing()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var queue = await EventQueue.BindAsync(relay.Exchange);

        var answer = await EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(CallbackForms.Success(), from: Outsider));

        Assert.Equal(EdgeAnswer.Closed, answer);
        await queue.AssertEmptyAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/unknown/path")]
    [InlineData("/healthz")]
    public async Task AnyPath_FromOutsideTheAllowlist_IsClosedBeforeTls(string path)
    {
        await using var relay = await RelayServer.StartAsync();
        using var client = relay.CreateClient(from: Outsider);

        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => client.GetAsync(path)));
    }

    [Fact]
    public async Task SpoofedForwardedFor_FromAnUntrustedPeer_IsIgnored()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var queue = await EventQueue.BindAsync(relay.Exchange);

        // An outsider claiming to be an allowed address is still an outsider...
        using var spoofing = relay.CreateClient(from: Outsider);
        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => spoofing.SendAsync(Callback("127.0.0.1"))));

        // ...and an allowed peer naming an outsider is still allowed: the header is not believed at all.
        using var allowed = relay.CreateClient();
        using var accepted = await allowed.SendAsync(Callback("203.0.113.9"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("callback.ok", (await queue.ReceiveAsync()).RoutingKey);
        await queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task ForwardedFor_FromATrustedProxy_JudgesTheForwardedClient()
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
            settings["Relay:Allowlist:Networks:1"] = "127.0.0.5/32";
        });
        using var proxy = relay.CreateClient();

        using var allowedClient = await proxy.SendAsync(Callback("127.0.0.5"));
        using var refusedClient = await proxy.SendAsync(Callback("127.0.0.6"));

        Assert.Equal(HttpStatusCode.OK, allowedClient.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedClient.StatusCode);
        Assert.Empty(await refusedClient.Content.ReadAsByteArrayAsync());
        Assert.True(refusedClient.Headers.ConnectionClose, "a request refused with 403 closes its connection");
    }

    [Fact]
    public async Task WithAProxyConfigured_APeerThatIsNeitherProxyNorAllowlisted_IsClosedBeforeTls()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:ForwardedHeaders:KnownProxies:0"] = "127.0.0.3");
        using var outsider = relay.CreateClient(from: Outsider);
        using var proxy = relay.CreateClient(from: IPAddress.Parse("127.0.0.3"));

        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => outsider.SendAsync(Callback("127.0.0.1"))));
        Assert.Equal(HttpStatusCode.OK, await EdgeAnswer.OfAsync(() => proxy.SendAsync(Callback("127.0.0.1"))));
        Assert.Equal(HttpStatusCode.Forbidden, await EdgeAnswer.OfAsync(() => proxy.SendAsync(Callback("127.0.0.9"))));
    }

    [Fact]
    public async Task AllowlistFile_WithCommentsAndBlankLines_IsLoaded()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "# provenance header\n\n127.0.0.0/8   # loopback, for this test\n  \n2001:db8::/32\n");
        try
        {
            await using var relay = await RelayServer.StartAsync(settings =>
            {
                settings.Remove("Relay:Allowlist:Networks:0");
                settings["Relay:Allowlist:Files:0"] = file;
            });

            using var response = await relay.PostCallbackAsync(CallbackForms.Success(), from: Outsider);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HttpRequestMessage Callback(string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/marketing-cloud/callbacks/" + RelayServer.Token)
        {
            Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }
}
