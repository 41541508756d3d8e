namespace Relay.Replay;

/// <summary>What <c>Relay replay</c> was asked for: which archived events, sent where.</summary>
internal sealed record ReplayRequest(
    DateTimeOffset? Since,
    DateTimeOffset? Until,
    IReadOnlySet<string> RequestIds,
    TopicPattern? RoutingKey,
    ReplayTarget? Target,
    bool DryRun)
{
    /// <summary>Whether an archived event is one the replay is for (<see cref="Since"/> inclusive, <see cref="Until"/> exclusive).</summary>
    public bool Matches(DateTimeOffset time, string? requestId, string routingKey) =>
        (Since is not { } since || time >= since)
        && (Until is not { } until || time < until)
        && (RequestIds.Count == 0 || (requestId is not null && RequestIds.Contains(requestId)))
        && (RoutingKey is null || RoutingKey.Matches(routingKey));

    /// <summary>The request in one line, for the audit log: filters and target, nothing secret.</summary>
    public string Describe() => string.Join(' ', new string?[]
        {
            Since is { } since ? "--since " + since.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
            Until is { } until ? "--until " + until.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
            RequestIds.Count > 0 ? string.Join(' ', RequestIds.Order(StringComparer.Ordinal).Select(id => "--request-id " + id)) : null,
            RoutingKey is { } pattern ? "--routing-key " + pattern.Text : null,
            Target is { IsQueue: true } queue ? "--to-queue " + queue.Name : null,
            Target is { IsQueue: false } exchange ? "--to-exchange " + exchange.Name : null,
            DryRun ? "--dry-run" : null,
        }
        .Where(part => part is not null));
}
