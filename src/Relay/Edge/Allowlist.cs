using System.Net;

namespace Relay.Edge;

/// <summary>The networks allowed to reach the Public listener. Immutable: a reload builds a new one.</summary>
internal sealed class Allowlist(IReadOnlyList<IPNetwork> networks)
{
    public IReadOnlyList<IPNetwork> Networks { get; } = networks;

    /// <summary>Whether the (already folded) address is inside one of the networks, and which.</summary>
    public bool TryMatch(IPAddress address, out IPNetwork rule)
    {
        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                rule = network;
                return true;
            }
        }

        rule = default;
        return false;
    }
}
