using System.Net;

namespace Relay.Core.ProxyProtocol;

/// <summary>
/// What a PROXY protocol header said: a proxied connection with its client (<see cref="Client"/>), or a
/// version 2 LOCAL connection (the proxy's own, such as a health check), which carries no client.
/// </summary>
/// <param name="Version">1 (text) or 2 (binary).</param>
/// <param name="Client">The client's address and port; null for LOCAL.</param>
public sealed record ProxyHeader(int Version, IPEndPoint? Client)
{
    public bool IsLocal => Client is null;
}

/// <summary>Where reading a header stands.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>Not complete yet, and nothing so far is wrong: read more.</summary>
    NeedMore,

    /// <summary>A complete, valid header.</summary>
    Complete,

    /// <summary>Not a header Relay takes (malformed, oversized, or an address family it refuses).</summary>
    Invalid,
}
