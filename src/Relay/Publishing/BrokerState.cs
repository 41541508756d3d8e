namespace Relay.Publishing;

/// <summary>What the broker connection is doing now; readiness and metrics read it.</summary>
internal enum BrokerState
{
    Connecting,
    Connected,

    /// <summary>Connected, but the broker has blocked publishing (memory or disk alarm).</summary>
    Blocked,
}
