namespace Relay.Edge;

/// <summary>
/// Set on a request that has proven it is a callback (its URL carries a configured source's token): the
/// per-address rate limit does not apply to it. Marketing Cloud's addresses are shared by all its
/// customers, so another tenant's traffic from the same address must not spend our callbacks' budget,
/// and a callback refused with 429 is lost.
/// </summary>
internal sealed class RateLimitExemptFeature
{
    public static readonly RateLimitExemptFeature Instance = new();

    private RateLimitExemptFeature()
    {
    }
}
