using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Relay.Infrastructure;

namespace Relay.Telemetry;

public sealed partial class DashboardTests
{
    /// <summary>The checked-in Grafana dashboard only queries metrics that Relay really exports.</summary>
    [Fact]
    public async Task Dashboard_QueriesOnlyExportedMetrics()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "operators", "monitoring", "relay-dashboard.json")));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .SelectMany(target => MetricName().Matches(target.GetProperty("expr").GetString()!).Select(match => match.Value))
            .ToHashSet(StringComparer.Ordinal);

        await using var relay = await RelayServer.StartAsync();
        using (var accepted = await relay.PostCallbackAsync(CallbackForms.Success()))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var admin = relay.CreateAdminClient();
        string exported = await admin.GetStringAsync("/metrics");

        Assert.NotEmpty(queried);
        // Each name is a metric (at the start of a line) or a label (before '="').
        Assert.All(queried, name => Assert.True(
            exported.Contains("\n" + name, StringComparison.Ordinal) || exported.Contains(name + "=\"", StringComparison.Ordinal),
            $"{name} is not exported"));
    }

    [GeneratedRegex(@"\b(?:relay|http_server|kestrel|dotnet|aspnetcore)_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
