using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>ASP.NET Core's rate limiter, partitioned by client address, from <c>Relay:RateLimit</c>.</summary>
internal sealed partial class RateLimitSetup(IOptions<RateLimitOptions> options, RelayMetrics metrics, ILogger<RateLimitSetup> logger)
    : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions limiter)
    {
        var settings = options.Value;
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
            RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress ?? IPAddress.None, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.Burst,
                TokensPerPeriod = settings.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        limiter.OnRejected = (context, _) =>
        {
            metrics.EdgeDecision(allowed: false, "rate_limited");
            Log.Limited(logger, context.HttpContext.Connection.RemoteIpAddress);
            return ValueTask.CompletedTask;
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Rate limit reached for {ClientAddress}: answered 429")]
        public static partial void Limited(ILogger logger, IPAddress? clientAddress);
    }
}
