namespace Relay.Edge;

/// <summary>Where the edge decided: the values of <c>relay.edge.stage</c>.</summary>
internal static class EdgeStage
{
    /// <summary>As Kestrel accepted the connection, before the TLS handshake (<see cref="ConnectionGate"/>).</summary>
    public const string Connection = "connection";

    /// <summary>On a request: the allowlist behind a proxy, the rate limit.</summary>
    public const string Request = "request";
}
