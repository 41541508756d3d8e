namespace Relay.Replay;

/// <summary>Where a replay republishes: a queue (through the default exchange) or an exchange.</summary>
internal sealed record ReplayTarget(bool IsQueue, string Name)
{
    /// <summary>The exchange to publish to: the default exchange for a queue.</summary>
    public string Exchange => IsQueue ? string.Empty : Name;

    /// <summary>The routing key of a replayed event: the queue's name, or the event's own routing key.</summary>
    public string RoutingKeyFor(string original) => IsQueue ? Name : original;

    public override string ToString() => (IsQueue ? "queue '" : "exchange '") + Name + "'";
}
