using System.Net;
using Microsoft.AspNetCore.Connections;
using Relay.Core.ProxyProtocol;

namespace Relay.Edge;

/// <summary>
/// Decides the Public listener's connections as they are accepted, before the TLS handshake: a peer
/// outside the allowlist (and, with proxies configured, not a known proxy either) is closed at once, so
/// an outsider can neither hold connections open nor make Relay do a handshake. With
/// <c>Relay:ForwardedHeaders:ProxyProtocol</c>, a known proxy's connection must first hand over its client
/// in a PROXY protocol header, within <c>RequestHeadersTimeout</c>; the client is then judged as a direct
/// one is and is the connection's remote address from then on (logs, metrics, rate limit, traces).
/// Requests are still decided one by one afterwards (behind a proxy, on the forwarded address).
/// </summary>
internal sealed partial class ConnectionGate(AllowlistProvider allowlists, TrustedProxies proxies, EdgeRefusals refusals, EdgeMetrics metrics,
    ILogger<ConnectionGate> logger)
{
    public const string ProxyProtocolReason = "proxy_protocol";

    /// <param name="next">The rest of the connection's pipeline (the TLS handshake, then HTTP).</param>
    /// <param name="headerTimeout">How long a proxy has for its PROXY header: Kestrel's <c>RequestHeadersTimeout</c>.</param>
    public ConnectionDelegate Wrap(ConnectionDelegate next, TimeSpan headerTimeout) => connection =>
    {
        var address = connection.RemoteEndPoint is IPEndPoint peer ? AddressFolding.Fold(peer.Address) : null;
        if (proxies.ProxyProtocol && address is not null && proxies.Contains(address))
        {
            return ThroughProxyAsync(connection, address, next, headerTimeout);
        }

        return Decide(address) ? next(connection) : Task.CompletedTask;
    };

    /// <summary>Allows or refuses a connection's peer (or the client a proxy named), counting and logging it.</summary>
    private bool Decide(IPAddress? address)
    {
        var lists = allowlists.Current;
        if (address is not null && (lists.AllowAll || lists.Active.TryMatch(address, out _)))
        {
            metrics.EdgeDecision(allowed: true, lists.AllowAll ? "allow_all" : "allowlisted", EdgeStage.Connection);
            return true;
        }

        if (address is not null && proxies.Contains(address))
        {
            metrics.EdgeDecision(allowed: true, "known_proxy", EdgeStage.Connection);
            return true;
        }

        if (address is not null && lists.Shadow is { } shadow && shadow.TryMatch(address, out var shadowRule))
        {
            metrics.ShadowDisagreement(allowedNow: false);
            Log.ShadowWouldAllow(logger, address, shadowRule);
        }

        metrics.EdgeDecision(allowed: false, "not_allowlisted", EdgeStage.Connection);
        refusals.Refused(address, EdgeStage.Connection, "not_allowlisted");

        // Returning without calling the rest of the pipeline closes the connection.
        return false;
    }

    private async Task ThroughProxyAsync(ConnectionContext connection, IPAddress proxy, ConnectionDelegate next, TimeSpan headerTimeout)
    {
        var (header, problem) = await ReadHeaderAsync(connection, headerTimeout);
        if (header is null)
        {
            metrics.EdgeDecision(allowed: false, ProxyProtocolReason, EdgeStage.Connection);
            refusals.Refused(proxy, EdgeStage.Connection, ProxyProtocolReason);
            Log.HeaderRefused(logger, proxy, problem!);
            return;
        }

        if (header.IsLocal)
        {
            // The balancer's own connection (a health check): judged on its own address, a known proxy's.
            metrics.EdgeDecision(allowed: true, "known_proxy", EdgeStage.Connection);
            await next(connection);
            return;
        }

        var client = AddressFolding.Fold(header.Client!.Address);
        connection.RemoteEndPoint = new IPEndPoint(client, header.Client.Port);
        if (Decide(client))
        {
            await next(connection);
        }
    }

    /// <summary>The header, or why there is none: malformed, oversized, refused, or not complete within <c>RequestHeadersTimeout</c>.</summary>
    private static async Task<(ProxyHeader? Header, string? Problem)> ReadHeaderAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, $"no complete header within RequestHeadersTimeout ({timeout.TotalSeconds:0.###} s)");
            }
            catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException)
            {
                return (null, "the connection closed before a complete header");
            }

            var buffer = read.Buffer;
            switch (ProxyHeaderParser.TryParse(buffer, out var header, out int consumed, out string? problem))
            {
                case ProxyHeaderStatus.Complete:
                    // The client's own bytes (its TLS handshake) stay in the pipe for the next stage.
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    return (header, null);
                case ProxyHeaderStatus.Invalid:
                    input.AdvanceTo(buffer.Start);
                    return (null, problem);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return (null, "the connection closed before a complete header");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Shadow allowlist disagrees on {ClientAddress}: refused now, the shadow list would allow it (shadow rule {ShadowRule})")]
        public static partial void ShadowWouldAllow(ILogger logger, IPAddress clientAddress, IPNetwork shadowRule);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Debug, Message = "Connection from proxy {ProxyAddress} closed: {Problem}")]
        public static partial void HeaderRefused(ILogger logger, IPAddress proxyAddress, string problem);
    }
}
