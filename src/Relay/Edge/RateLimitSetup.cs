using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

/// <summary>
/// ASP.NET Core's rate limiter, partitioned by client address, from <c>Relay:RateLimit</c>. A request that
/// proved it is a callback (<see cref="RateLimitExemptFeature"/>) is never limited: everything else on
/// Public is (wrong tokens, unknown paths, proxied routes).
/// </summary>
internal sealed class RateLimitSetup(IOptions<RateLimitOptions> options, EdgeMetrics metrics, EdgeRefusals refusals)
    : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions limiter)
    {
        var settings = options.Value;
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (bool Exempt, IPAddress Address)>(context =>
            context.Features.Get<RateLimitExemptFeature>() is not null
                ? RateLimitPartition.GetNoLimiter((true, IPAddress.None))
                : RateLimitPartition.GetTokenBucketLimiter((false, context.Connection.RemoteIpAddress ?? IPAddress.None), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst,
                    TokensPerPeriod = settings.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        limiter.OnRejected = (context, _) =>
        {
            metrics.EdgeDecision(allowed: false, "rate_limited", EdgeStage.Request);
            refusals.Refused(context.HttpContext.Connection.RemoteIpAddress, EdgeStage.Request, "rate_limited");
            return ValueTask.CompletedTask;
        };
    }
}
