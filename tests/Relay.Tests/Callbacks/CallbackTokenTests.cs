using System.Net;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Callbacks;

/// <summary>Secret callback URLs: <c>{Path}/{token}</c>, the token naming the source.</summary>
public sealed class CallbackTokenTests : IAsyncLifetime
{
    private const string RotatedToken = "test-token-rotated-5b7d9f1a3c5e7a9b1d3f5a7c9e1b3d5f";
    private const string OtherToken = "other-token-2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f";

    private RelayServer _relay = null!;
    private EventQueue _queue = null!;

    public async Task InitializeAsync()
    {
        _relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:Callbacks:Sources:test:Tokens:1"] = RotatedToken;
            settings["Relay:Callbacks:Sources:other-bu:Tokens:0"] = OtherToken;
        });
        _queue = await EventQueue.BindAsync(_relay.Exchange);
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Theory]
    [InlineData(RelayServer.Token, "/marketing-cloud/callbacks/test")]
    [InlineData(RotatedToken, "/marketing-cloud/callbacks/test")]
    [InlineData(OtherToken, "/marketing-cloud/callbacks/other-bu")]
    public async Task Post_AnyValidToken_IsAcceptedAsItsSource(string token, string source)
    {
        using var response = await Post("/marketing-cloud/callbacks/" + token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = (await _queue.ReceiveAsync()).Json();
        Assert.Equal(source, json.RootElement.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("/marketing-cloud/callbacks")]
    [InlineData("/marketing-cloud/callbacks/")]
    [InlineData("/marketing-cloud/callbacks/wrong-token-00000000000000000000000000000000")]
    [InlineData("/marketing-cloud/callbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f8")] // last character off
    [InlineData("/marketing-cloud/callbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f")] // one short
    [InlineData("/marketing-cloud/callbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7x")] // one long
    [InlineData("/marketing-cloud/callbacks/TEST-TOKEN-8F0C2B6E4A1D49C7B3E5F7A9C1D3E5F7")] // case changed
    [InlineData("/marketing-cloud/callbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7/extra")]
    [InlineData("/marketing-cloud/callbacks//test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7")]
    [InlineData("/marketing-cloud//callbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7")]
    [InlineData("/marketing-cloud/callbacks%2Ftest-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7")]
    [InlineData("/marketing-cloud%2Fcallbacks/test-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7")]
    public async Task Post_MissingOrWrongToken_Is404LikeAnUnknownPathAndPublishesNothing(string path)
    {
        using var response = await Post(path);
        using var unknown = await Post("/no/such/path");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(unknown.StatusCode, response.StatusCode);
        Assert.Equal(
            unknown.Headers.Concat(unknown.Content.Headers).Select(header => header.Key).Where(key => key != "Date").Order(),
            response.Headers.Concat(response.Content.Headers).Select(header => header.Key).Where(key => key != "Date").Order());
        await _queue.AssertEmptyAsync();
    }

    [Theory]
    [InlineData("/marketing-cloud/callbacks/../callbacks/" + RelayServer.Token)]
    [InlineData("/marketing-cloud/./callbacks/" + RelayServer.Token)]
    [InlineData("/Marketing-Cloud/Callbacks/" + RelayServer.Token)]
    [InlineData("/marketing-cloud/callbacks/%74est-token-8f0c2b6e4a1d49c7b3e5f7a9c1d3e5f7")]
    public async Task Post_EquivalentSpellingsOfTheUrl_AreTheSameResource(string path)
    {
        // Dot segments are resolved and unreserved characters decoded before matching (RFC 3986);
        // literal path segments match without regard to case. The token itself is matched exactly.
        using var response = await Post(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("callback.ok", (await _queue.ReceiveAsync()).RoutingKey);
    }

    [Fact]
    public async Task Get_WithWrongToken_Is404_AndWithRightToken_Is405()
    {
        using var client = _relay.CreateClient();

        using var wrong = await client.GetAsync("/marketing-cloud/callbacks/wrong-token-00000000000000000000000000000000");
        using var right = await client.GetAsync(_relay.CallbackPath);

        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, right.StatusCode);
    }

    [Fact]
    public async Task Tokenless_WhenAllowed_AcceptsTheBarePathAsTheBaseSource()
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings.Remove("Relay:Callbacks:Sources:test:Tokens:0");
            settings["Relay:Callbacks:AllowTokenless"] = "true";
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var client = relay.CreateClient();

        using var response = await client.PostAsync("/marketing-cloud/callbacks",
            new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = (await queue.ReceiveAsync()).Json();
        Assert.Equal("/marketing-cloud/callbacks", json.RootElement.GetProperty("source").GetString());
    }

    private async Task<HttpResponseMessage> Post(string path)
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_relay.PublicUri, path))
        {
            Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        return await client.SendAsync(request);
    }
}
