using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Edge;

namespace Relay.Health;

internal static class HealthExtensions
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddRelayHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<ShutdownOptions, ShutdownOptionsValidator>().BindConfiguration(ShutdownOptions.Section);
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainPeriod + shutdown.Value.Timeout);
        services.TryAddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());

        services.AddHealthChecks()
            .AddCheck<ShutdownDrain>("shutdown", tags: [ReadyTag])
            .AddCheck<OutboxReadinessCheck>("outbox", tags: [ReadyTag])
            .AddCheck<BrokerReadinessCheck>("broker", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// <c>/healthz</c> (the process answers) and <c>/readyz</c> (it accepts callbacks: 200 when Healthy or
    /// Degraded, 503 when Unhealthy; each check's description in JSON on request), on Admin only.
    /// </summary>
    public static WebApplication MapRelayHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false })
            .OnListener(RelayListener.Admin);
        app.MapHealthChecks("/readyz", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(ReadyTag),
                ResponseWriter = ReadinessResponse.WriteAsync,
            })
            .OnListener(RelayListener.Admin);
        return app;
    }
}
