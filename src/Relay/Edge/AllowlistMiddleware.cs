using System.Net;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>
/// Refuses, with 403 and an empty body, every Public request whose client address is outside the
/// allowlist, before anything of the request body is read. The client address is the socket peer, or
/// what the forwarded-headers middleware took from a trusted proxy's X-Forwarded-For.
/// </summary>
internal sealed partial class AllowlistMiddleware(RequestDelegate next, Allowlist allowlist, RelayMetrics metrics, ILogger<AllowlistMiddleware> logger)
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

        if (address is not null && allowlist.TryMatch(address, out var rule))
        {
            metrics.EdgeDecision(allowed: true, "allowlisted");
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.Allowed(logger, address, rule);
            }

            return next(context);
        }

        metrics.EdgeDecision(allowed: false, "not_allowlisted");
        Log.Refused(logger, address);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Allowed {ClientAddress} by rule {Rule}")]
        public static partial void Allowed(ILogger logger, IPAddress clientAddress, IPNetwork rule);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Refused {ClientAddress}: outside the allowlist")]
        public static partial void Refused(ILogger logger, IPAddress? clientAddress);
    }
}
