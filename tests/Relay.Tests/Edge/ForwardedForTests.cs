using System.Net;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Edge;

/// <summary>X-Forwarded-For through a chain of trusted proxies: the right hop decides, never the left.</summary>
public sealed class ForwardedForTests : IAsyncLifetime
{
    private RelayServer _relay = null!;

    public async Task InitializeAsync() => _relay = await RelayServer.StartAsync(settings =>
    {
        // Peer 127.0.0.1 and 127.0.0.3 are proxies; the client 127.0.0.9 is allowed, 127.0.0.8 is not.
        settings["Relay:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        settings["Relay:ForwardedHeaders:KnownNetworks:0"] = "127.0.0.3/32";
        settings["Relay:ForwardedHeaders:ForwardLimit"] = "2";
        settings["Relay:Allowlist:Networks:1"] = "127.0.0.9/32";
    });

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.9", HttpStatusCode.OK)]                       // one proxy hop
    [InlineData("127.0.0.9, 127.0.0.3", HttpStatusCode.OK)]            // two trusted hops
    [InlineData("127.0.0.8, 127.0.0.3", HttpStatusCode.Forbidden)]     // two trusted hops, client refused
    [InlineData("127.0.0.9, 127.0.0.4", HttpStatusCode.Forbidden)]     // second hop not a known proxy: it is the client
    [InlineData("127.0.0.9, 127.0.0.8, 127.0.0.3", HttpStatusCode.Forbidden)] // left entries beyond the limit are the client's own claims
    [InlineData("not-an-address", HttpStatusCode.OK)]                  // unusable header: the proxy itself is judged (here, allowed)
    public async Task ForwardedFor_FromTheProxy_JudgesTheRightHop(string forwardedFor, HttpStatusCode expected)
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _relay.CallbackPath)
        {
            Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }
}
