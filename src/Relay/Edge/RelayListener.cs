namespace Relay.Edge;

/// <summary>The two Kestrel endpoints Relay serves, named as in <c>Kestrel:Endpoints</c>.</summary>
internal enum RelayListener
{
    /// <summary>The internet-facing HTTPS endpoint: callbacks and proxied routes, behind the allowlist.</summary>
    Public,

    /// <summary>The internal endpoint: health and metrics, never served on Public.</summary>
    Admin,
}
