namespace Relay.Edge;

/// <summary><c>Relay:Allowlist</c>: who may reach the Public listener.</summary>
internal sealed class AllowlistOptions
{
    public const string Section = "Relay:Allowlist";

    /// <summary>CIDR networks (IPv4 or IPv6); a bare address is a single host.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>Files of CIDR networks, one a line, '#' starts a comment; relative to the content root.</summary>
    public List<string> Files { get; set; } = [];
}
