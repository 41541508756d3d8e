namespace Relay.Health;

/// <summary><c>Relay:Shutdown</c>: how Relay leaves on SIGTERM.</summary>
internal sealed class ShutdownOptions
{
    public const string Section = "Relay:Shutdown";

    /// <summary>How long Relay keeps accepting after /readyz turned not ready, for load balancers to notice.</summary>
    public TimeSpan DrainPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long, after the drain period, requests in flight have to finish.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);
}
