using System.Net;
using Relay.Infrastructure;

namespace Relay.Edge;

/// <summary>Standard YARP routes are served on Public, behind the same allowlist as callbacks.</summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private WebApplication _backend = null!;
    private int _backendHits;
    private RelayServer _relay = null!;

    public async Task InitializeAsync()
    {
        int port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _backend = builder.Build();
        _backend.MapGet("/internal/{**rest}", (HttpContext context) =>
        {
            Interlocked.Increment(ref _backendHits);
            return $"backend {context.Request.Path} for {context.Request.Headers["X-Forwarded-For"]}";
        });
        await _backend.StartAsync();

        _relay = await RelayServer.StartAsync(settings =>
        {
            settings["ReverseProxy:Routes:internal:ClusterId"] = "backend";
            settings["ReverseProxy:Routes:internal:Match:Path"] = "/internal/{**rest}";
            settings["ReverseProxy:Clusters:backend:Destinations:only:Address"] = $"http://127.0.0.1:{port}/";
            settings["ReverseProxy:Routes:everything:ClusterId"] = "backend";
            settings["ReverseProxy:Routes:everything:Match:Path"] = "/{**rest}";
        });
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task ProxiedRoute_FromAnAllowedClient_ReachesTheBackend()
    {
        using var client = _relay.CreateClient();

        using var response = await client.GetAsync("/internal/reports/7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend /internal/reports/7 for 127.0.0.1", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Volatile.Read(ref _backendHits));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task CallbackPath_UnderACatchAllRoute_StaysWithRelay(string method)
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), _relay.CallbackPath)
        {
            Content = new StringContent(CallbackForms.Success(), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(method == "GET" ? HttpStatusCode.MethodNotAllowed : HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _backendHits));
    }

    [Fact]
    public async Task ProxiedRoute_FromARefusedClient_NeverReachesTheBackend()
    {
        using var client = _relay.CreateClient(from: IPAddress.Parse("127.0.0.2"));

        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => client.GetAsync("/internal/reports/7")));
        Assert.Equal(0, Volatile.Read(ref _backendHits));
    }
}
