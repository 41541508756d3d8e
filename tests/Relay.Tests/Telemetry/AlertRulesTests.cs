using System.Text.RegularExpressions;
using Relay.Infrastructure;
using Relay.Reconciliation;

namespace Relay.Telemetry;

/// <summary>
/// The Prometheus alerting rules shipped beside the dashboard: each names only metrics a running Relay
/// exports (an alert on a misspelt metric never fires), and each leads to a runbook that exists.
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string Rules = Path.Combine(RepositoryRoot.Path, "docs", "operators", "monitoring", "relay-alerts.yml");

    [Fact]
    public async Task EveryRule_NamesMetricsRelayExports()
    {
        // Reconciliation on, so that its instruments exist too.
        await using var relay = await ReconcilingRelay.StartAsync();
        using var admin = relay.Relay.CreateAdminClient();
        string scrape = await admin.GetStringAsync("/metrics");
        var exported = SeriesName().Matches(scrape).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var named = Expressions().Matches(await File.ReadAllTextAsync(Rules))
            .SelectMany(expression => MetricName().Matches(expression.Groups[1].Value).Select(metric => metric.Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(named);
        var unknown = named.Except(exported).ToList();
        Assert.True(unknown.Count == 0, $"alerting rules name metrics Relay does not export: {string.Join(", ", unknown)}");
    }

    [Fact]
    public async Task EveryRule_HasASeverity_AndARunbookThatExists()
    {
        string rules = await File.ReadAllTextAsync(Rules);
        string runbooks = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "operators", "runbooks.md"));
        var headings = Heading().Matches(runbooks).Select(match => match.Groups[1].Value.Trim().ToLowerInvariant().Replace(' ', '-')).ToHashSet();
        var alerts = rules.Split("- alert:", StringSplitOptions.None).Skip(1).ToList();

        Assert.NotEmpty(alerts);
        foreach (string alert in alerts)
        {
            string name = alert.Split('\n')[0].Trim();
            Assert.Matches(@"severity: (critical|warning)", alert);
            var runbook = RunbookUrl().Match(alert);
            Assert.True(runbook.Success, $"{name} has no runbook_url");
            Assert.Contains(runbook.Groups[1].Value, headings);
        }
    }

    [GeneratedRegex(@"^(relay_\w+?)(?:\{| )", RegexOptions.Multiline)]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"expr: (.+)$", RegexOptions.Multiline)]
    private static partial Regex Expressions();

    /// <summary>A metric's name in an expression: not a label, in a matcher (<c>label="x"</c>) or a grouping (<c>by (label)</c>).</summary>
    [GeneratedRegex(@"(?<!by \()\brelay_[a-z_]+\b(?!\s*(?:=(?!=)|!=|=~|!~))")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^## (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"runbook_url: docs/operators/runbooks\.md#([a-z0-9-]+)")]
    private static partial Regex RunbookUrl();
}
