using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Relay.Edge;

/// <summary>
/// Decides the Public listener's connections as they are accepted, before the TLS handshake: a peer
/// outside the allowlist (and, with proxies configured, not a known proxy either) is closed at once, so
/// an outsider can neither hold connections open nor make Relay do a handshake. Requests are still
/// decided one by one afterwards (behind a proxy, on the forwarded address).
/// </summary>
internal sealed partial class ConnectionGate(AllowlistProvider allowlists, TrustedProxies proxies, EdgeRefusals refusals, EdgeMetrics metrics,
    ILogger<ConnectionGate> logger)
{
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection =>
    {
        var address = connection.RemoteEndPoint is IPEndPoint peer ? AddressFolding.Fold(peer.Address) : null;
        var lists = allowlists.Current;
        if (address is not null && (lists.AllowAll || lists.Active.TryMatch(address, out _)))
        {
            metrics.EdgeDecision(allowed: true, lists.AllowAll ? "allow_all" : "allowlisted", EdgeStage.Connection);
            return next(connection);
        }

        if (address is not null && proxies.Contains(address))
        {
            metrics.EdgeDecision(allowed: true, "known_proxy", EdgeStage.Connection);
            return next(connection);
        }

        if (address is not null && lists.Shadow is { } shadow && shadow.TryMatch(address, out var shadowRule))
        {
            metrics.ShadowDisagreement(allowedNow: false);
            Log.ShadowWouldAllow(logger, address, shadowRule);
        }

        metrics.EdgeDecision(allowed: false, "not_allowlisted", EdgeStage.Connection);
        refusals.Refused(address, EdgeStage.Connection, "not_allowlisted");

        // Returning without calling the rest of the pipeline closes the connection.
        return Task.CompletedTask;
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Shadow allowlist disagrees on {ClientAddress}: refused now, the shadow list would allow it (shadow rule {ShadowRule})")]
        public static partial void ShadowWouldAllow(ILogger logger, IPAddress clientAddress, IPNetwork shadowRule);
    }
}
