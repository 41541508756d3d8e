using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Relay.Edge;

/// <summary>Parses allowlist and proxy rules: CIDR networks, or bare addresses as single hosts.</summary>
internal static class CidrParser
{
    public static bool TryParse(string text, out IPNetwork network, [NotNullWhen(false)] out string? problem)
    {
        text = text.Trim();
        problem = null;
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (IPAddress.TryParse(text, out var address))
            {
                address = AddressFolding.Fold(address);
                network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
                return true;
            }

            network = default;
            problem = $"'{text}' is neither an IP address nor a CIDR network";
            return false;
        }

        if (!IPNetwork.TryParse(text, out network))
        {
            problem = $"'{text}' is not a valid CIDR network (an address, '/', a prefix length)";
            return false;
        }

        // The framework masks host bits away silently; in an allowlist they are more likely a typo that
        // widens access (10.0.0.1/8 for 10.0.0.1/32) than a deliberate network, so they are refused.
        if (!IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]).Equals(network.BaseAddress))
        {
            problem = $"'{text}' has bits set past its prefix; write {network} for the network, or the address alone for one host";
            return false;
        }

        return true;
    }
}
