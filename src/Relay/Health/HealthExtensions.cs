using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Relay.Edge;

namespace Relay.Health;

internal static class HealthExtensions
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddRelayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<BrokerReadinessCheck>("broker", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (it can accept callbacks), on Admin only.</summary>
    public static WebApplication MapRelayHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false })
            .OnListener(RelayListener.Admin);
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .OnListener(RelayListener.Admin);
        return app;
    }
}
