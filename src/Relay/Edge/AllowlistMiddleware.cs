using System.Net;
using Microsoft.AspNetCore.Connections.Features;

namespace Relay.Edge;

/// <summary>
/// Refuses, with 403 and an empty body, every Public request whose client address is outside the
/// allowlist, before anything of the request body is read, and closes its connection. The client address
/// is the socket peer, or what the forwarded-headers middleware took from a trusted proxy's
/// X-Forwarded-For (the proxy itself having passed as a known proxy). A shadow list, when configured, is evaluated too and every
/// disagreement is logged and counted, without changing the decision.
/// </summary>
internal sealed partial class AllowlistMiddleware(RequestDelegate next, AllowlistProvider allowlists, EdgeRefusals refusals, EdgeMetrics metrics,
    ILogger<AllowlistMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var connection = context.Connection;
        var address = connection.RemoteIpAddress;
        if (address is not null && address.IsIPv4MappedToIPv6)
        {
            address = AddressFolding.Fold(address);
            connection.RemoteIpAddress = address;
        }

        var lists = allowlists.Current;
        IPNetwork rule = default;
        bool allowed = address is not null && (lists.AllowAll || lists.Active.TryMatch(address, out rule));
        if (lists.Shadow is { } shadow && address is not null && shadow.TryMatch(address, out var shadowRule) != allowed)
        {
            metrics.ShadowDisagreement(allowed);
            Log.ShadowDisagrees(logger, address, allowed ? "allowed" : "refused", allowed ? "refuse" : "allow", allowed ? null : shadowRule);
        }

        if (allowed)
        {
            metrics.EdgeDecision(allowed: true, lists.AllowAll ? "allow_all" : "allowlisted", EdgeStage.Request);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                string hop = Hop(context, address);
                Log.Allowed(logger, address!, hop, lists.AllowAll ? "allow-all" : rule.ToString());
            }

            return next(context);
        }

        metrics.EdgeDecision(allowed: false, "not_allowlisted", EdgeStage.Request);
        refusals.Refused(address, EdgeStage.Request, "not_allowlisted");

        // Keeping the connection would let an outsider hold it (HTTP/1.1: Connection: close; HTTP/2: GOAWAY).
        context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    /// <summary>Where the address came from: the socket, or X-Forwarded-For through which proxy.</summary>
    private static string Hop(HttpContext context, IPAddress? address) =>
        context.Features.Get<PeerAddressFeature>()?.Address is { } peer && !AddressFolding.Fold(peer).Equals(address)
            ? $"X-Forwarded-For via proxy {AddressFolding.Fold(peer)}"
            : "socket peer";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Allowed {ClientAddress} ({Hop}) by rule {Rule}")]
        public static partial void Allowed(ILogger logger, IPAddress clientAddress, string hop, string rule);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Shadow allowlist disagrees on {ClientAddress}: {Decision} now, the shadow list would {ShadowDecision} (shadow rule {ShadowRule})")]
        public static partial void ShadowDisagrees(ILogger logger, IPAddress clientAddress, string decision, string shadowDecision, IPNetwork? shadowRule);
    }
}
