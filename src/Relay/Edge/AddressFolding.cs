using System.Net;

namespace Relay.Edge;

internal static class AddressFolding
{
    /// <summary>
    /// Folds an IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack socket reports IPv4 peers)
    /// to plain IPv4, so that one IPv4 rule matches however the peer connected.
    /// </summary>
    public static IPAddress Fold(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
