namespace Relay.Edge;

/// <summary>
/// <c>Relay:ForwardedHeaders</c>: the only peers whose X-Forwarded-For is believed. Empty lists mean
/// that no one is believed and the socket peer is the client.
/// </summary>
internal sealed class TrustedProxiesOptions
{
    public const string Section = "Relay:ForwardedHeaders";

    /// <summary>Addresses of proxies in front of Relay.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>CIDR networks of proxies in front of Relay.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many X-Forwarded-For entries, from the right, Relay walks through trusted proxies.</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>
    /// Whether a connection from a known proxy must begin with a PROXY protocol header (version 1 or 2),
    /// before TLS, whose address is then the client's; connections from other peers are judged on their own
    /// address, and PROXY bytes from them are never believed.
    /// </summary>
    public bool ProxyProtocol { get; set; }
}
