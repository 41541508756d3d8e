using System.Text.Json;
using Relay.Infrastructure;

namespace Relay.Ens;

/// <summary><c>Relay ens</c> against the stand-in of Marketing Cloud's REST API, with the server's configuration.</summary>
public sealed class EnsCommandTests
{
    [Fact]
    public async Task Create_Subscribe_AndList_AgainstTheApi()
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();

        var created = await EnsAsync(marketingCloud, "create", "--source", "test", "--url", "https://relay.example.com/");
        Assert.True(created.ExitCode == 0, created.Error);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string callbackId = lines.Single(line => line.StartsWith("callbackId: ", StringComparison.Ordinal))["callbackId: ".Length..];
        Assert.Contains(lines, line => line.StartsWith("signatureKey: ", StringComparison.Ordinal) && line.Length > 30);
        Assert.Contains("Relay:Callbacks:Sources:test:Ens:SignatureKeys:0", created.Error, StringComparison.Ordinal);

        var subscribed = await EnsAsync(marketingCloud, "subscribe", "--source", "test", "--callback-id", callbackId,
            "--category", "TransactionalSendEvents.EmailSent", "--category", "EngagementEvents.EmailOpen");
        Assert.True(subscribed.ExitCode == 0, subscribed.Error);
        var subscription = Assert.Single(marketingCloud.EnsSubscriptions);
        Assert.Equal(callbackId, (string?)subscription["callbackId"]);
        Assert.Equal(["TransactionalSendEvents.EmailSent", "EngagementEvents.EmailOpen"],
            subscription["eventCategoryTypes"]!.AsArray().Select(category => (string?)category));

        var listed = await EnsAsync(marketingCloud, "list", "--source", "test");
        Assert.True(listed.ExitCode == 0, listed.Error);
        using var json = JsonDocument.Parse(listed.Output);
        var callback = Assert.Single(json.RootElement.GetProperty("callbacks").EnumerateArray());
        Assert.Equal("https://relay.example.com/marketing-cloud/ens/" + RelayServer.Token, callback.GetProperty("url").GetString());
        Assert.Equal(1000, callback.GetProperty("maxBatchSize").GetInt32());
        Assert.Single(json.RootElement.GetProperty("subscriptions").EnumerateArray());
    }

    [Theory]
    [InlineData("--url: ", "create", "--source", "test", "--url", "http://relay.example.com")]
    [InlineData("--url: ", "create", "--source", "test", "--url", "https://relay.example.com:8443")]
    [InlineData("--url: ", "create", "--source", "test", "--url", "https://relay.example.com/?a=b")]
    [InlineData("--max-batch-size: ", "create", "--source", "test", "--url", "https://relay.example.com", "--max-batch-size", "5")]
    [InlineData("--source: 'nobody'", "list", "--source", "nobody")]
    [InlineData("--source", "list")]
    [InlineData("--category", "subscribe", "--source", "test", "--callback-id", "x")]
    public async Task BadInput_Exits2_NamingTheArgument(string named, params string[] arguments)
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        var run = await EnsAsync(marketingCloud, arguments);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASourceWithoutCredentials_Exits2_AndAnApiError_Exits1_WithMarketingCloudsMessage()
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        var noCredentials = await EnsAsync(null, "list", "--source", "test");
        Assert.Equal(2, noCredentials.ExitCode);
        Assert.Contains("has no Relay:Callbacks:Sources:test:MarketingCloud credentials", noCredentials.Error, StringComparison.Ordinal);

        var refused = await EnsAsync(marketingCloud, "subscribe", "--source", "test", "--callback-id", "no-such-callback", "--category", "X.Y");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Callback not found.", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(MarketingCloudStandIn.ClientSecret, refused.Error + refused.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> EnsAsync(MarketingCloudStandIn? marketingCloud, params string[] arguments)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Callbacks:Sources:test:Tokens:0"] = RelayServer.Token,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        marketingCloud?.Configure(settings);
        string contentRoot = Directory.CreateTempSubdirectory("relay-ens-command-").FullName;
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            int exitCode = await RelayCommands.RunAsync(
                ["ens", .. arguments, $"--contentRoot={contentRoot}", .. settings.Select(setting => $"--{setting.Key}={setting.Value}")],
                output, error);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }
}
