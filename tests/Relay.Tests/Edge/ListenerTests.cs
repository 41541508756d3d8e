using System.Net;
using Relay.Infrastructure;

namespace Relay.Edge;

public sealed class ListenerTests : RelayServerTest
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_OnAdmin_IsHealthy(string path)
    {
        using var admin = Relay.CreateAdminClient();

        using var response = await admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_AskedForJson_GivesEveryCheck_AndTheBrokerNodeInUse()
    {
        using var admin = Relay.CreateAdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await admin.SendAsync(request);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal(["broker", "outbox", "shutdown"], checks.EnumerateObject().Select(check => check.Name).Order());
        Assert.Contains("connected at 127.0.0.1:5672", checks.GetProperty("broker").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_OnPublic_IsNotServed(string path)
    {
        using var client = Relay.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = Relay.AdminUri.Authority;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Callback_OnAdmin_IsNotServed()
    {
        using var admin = Relay.CreateAdminClient();

        using var response = await admin.PostAsync(Relay.CallbackPath,
            new StringContent(CallbackForms.Success(), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_OnPublic_Is404()
    {
        using var client = Relay.CreateClient();

        using var response = await client.GetAsync("/marketing-cloud/callbacks-and-more");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Public_AnswersWithoutAServerHeader()
    {
        using var client = Relay.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Empty(response.Headers.Server);
    }
}
