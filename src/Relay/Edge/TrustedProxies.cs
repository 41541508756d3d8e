using System.Net;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

/// <summary>
/// <c>Relay:ForwardedHeaders</c> parsed once, after validation: the peers whose X-Forwarded-For is
/// believed. The forwarded-headers middleware and the connection gate both read it.
/// </summary>
internal sealed class TrustedProxies
{
    public TrustedProxies(IOptions<TrustedProxiesOptions> options)
    {
        var settings = options.Value;
        Addresses = [.. settings.KnownProxies.Select(proxy => AddressFolding.Fold(IPAddress.Parse(proxy.Trim())))];
        Networks = [.. settings.KnownNetworks.Select(network => CidrParser.TryParse(network, out var parsed, out _) ? parsed : default)];
        ForwardLimit = settings.ForwardLimit;
    }

    public IReadOnlyList<IPAddress> Addresses { get; }

    public IReadOnlyList<IPNetwork> Networks { get; }

    public int ForwardLimit { get; }

    /// <summary>Whether any proxy is configured; with none, every client is judged on its socket address.</summary>
    public bool Any => Addresses.Count > 0 || Networks.Count > 0;

    public bool Contains(IPAddress address)
    {
        foreach (var known in Addresses)
        {
            if (known.Equals(address))
            {
                return true;
            }
        }

        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
