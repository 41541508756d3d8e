using System.Net;

namespace Relay.Edge;

/// <summary>The socket peer's address, kept before the forwarded-headers middleware may replace it with the client's.</summary>
internal sealed class PeerAddressFeature(IPAddress? address)
{
    public IPAddress? Address { get; } = address;
}
