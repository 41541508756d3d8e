using System.Net;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

/// <summary>
/// <c>Relay:ForwardedHeaders</c> parsed: the peers whose X-Forwarded-For is believed. The forwarded-headers
/// middleware and the connection gate both read it. <see cref="Parse"/> is the one reading of the lists:
/// the validator reports what it finds wrong, and Relay starts only when it found nothing.
/// </summary>
internal sealed class TrustedProxies
{
    public TrustedProxies(IOptions<TrustedProxiesOptions> options)
    {
        var problems = new List<(string Key, string Problem)>();
        (Addresses, Networks) = Parse(options.Value, problems);
        if (problems.Count > 0)
        {
            // Validation at start refuses these settings first; nothing is ever dropped silently.
            throw new InvalidOperationException($"{problems[0].Key}: {problems[0].Problem}");
        }

        ForwardLimit = options.Value.ForwardLimit;
        ProxyProtocol = options.Value.ProxyProtocol;
    }

    /// <summary>The proxies and networks of the settings, each entry that is not one named in <paramref name="problems"/>.</summary>
    public static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks) Parse(TrustedProxiesOptions settings,
        List<(string Key, string Problem)> problems)
    {
        var addresses = new List<IPAddress>(settings.KnownProxies.Count);
        for (int i = 0; i < settings.KnownProxies.Count; i++)
        {
            if (IPAddress.TryParse(settings.KnownProxies[i].Trim(), out var address))
            {
                addresses.Add(AddressFolding.Fold(address));
            }
            else
            {
                problems.Add(($"{TrustedProxiesOptions.Section}:KnownProxies:{i}", $"'{settings.KnownProxies[i]}' is not an IP address"));
            }
        }

        var networks = new List<IPNetwork>(settings.KnownNetworks.Count);
        for (int i = 0; i < settings.KnownNetworks.Count; i++)
        {
            if (CidrParser.TryParse(settings.KnownNetworks[i], out var network, out string? problem))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(($"{TrustedProxiesOptions.Section}:KnownNetworks:{i}", problem));
            }
        }

        return (addresses, networks);
    }

    public IReadOnlyList<IPAddress> Addresses { get; }

    public IReadOnlyList<IPNetwork> Networks { get; }

    public int ForwardLimit { get; }

    /// <summary>Whether the known proxies' connections begin with a PROXY protocol header.</summary>
    public bool ProxyProtocol { get; }

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
