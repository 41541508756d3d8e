namespace Relay.Edge;

/// <summary><c>Relay:Allowlist</c>: who may reach the Public listener.</summary>
internal sealed class AllowlistOptions
{
    public const string Section = "Relay:Allowlist";

    /// <summary>CIDR networks (IPv4 or IPv6); a bare address is a single host.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>Files of CIDR networks, one a line, '#' starts a comment; relative to the content root. Reloaded on change.</summary>
    public List<string> Files { get; set; } = [];

    /// <summary>Development only: allow every address. Relay refuses to start with an empty allowlist otherwise.</summary>
    public bool AllowAll { get; set; }

    /// <summary>
    /// A candidate list evaluated beside the real one: it decides nothing, but every address it would
    /// decide differently is logged and counted, so a new list can be rolled out safely.
    /// </summary>
    public ShadowAllowlistOptions Shadow { get; set; } = new();

    internal sealed class ShadowAllowlistOptions
    {
        public List<string> Networks { get; set; } = [];

        public List<string> Files { get; set; } = [];

        public bool IsConfigured => Networks.Count > 0 || Files.Count > 0;
    }
}
