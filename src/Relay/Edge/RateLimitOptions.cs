namespace Relay.Edge;

/// <summary>
/// <c>Relay:RateLimit</c>: a token bucket per client address on the Public listener, past which requests
/// get 429. Marketing Cloud does not retry, so a 429 loses a callback: size it well above the busiest
/// legitimate burst (one callback per asynchronous call, all from a few Marketing Cloud addresses).
/// </summary>
internal sealed class RateLimitOptions
{
    public const string Section = "Relay:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests one address may make at once, after a quiet period.</summary>
    public int Burst { get; set; } = 5000;

    /// <summary>Requests per second one address may sustain.</summary>
    public int PermitsPerSecond { get; set; } = 1000;
}
