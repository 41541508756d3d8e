using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Relay.Telemetry;

/// <summary>
/// Creates a feature's gauges as Relay starts. A gauges class takes the producers it observes in its
/// constructor, so each gauge reads its own producer from the start; no producer registers itself with a
/// metrics class (where a gauge read 0 until the producer was resolved, and the last registration won).
/// </summary>
internal sealed class GaugesAtStart<TGauges>(TGauges gauges) : IHostedService
    where TGauges : class
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The gauges exist from here on: their instruments were created with them.
        GC.KeepAlive(gauges);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class GaugesExtensions
{
    /// <summary>Registers a gauges class, created as Relay starts from the producers it observes.</summary>
    public static IServiceCollection AddRelayGauges<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TGauges>(
        this IServiceCollection services)
        where TGauges : class
    {
        services.TryAddSingleton<TGauges>();
        services.AddHostedService<GaugesAtStart<TGauges>>();
        return services;
    }
}
