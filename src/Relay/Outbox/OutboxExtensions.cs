using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Configuration;
using Relay.Telemetry;

namespace Relay.Outbox;

internal static class OutboxExtensions
{
    /// <summary>
    /// Registers the outbox after the broker connection, so that on shutdown it stops before it; its
    /// forwarder comes with delivery (<c>AddRelayDelivery</c>), after it.
    /// </summary>
    public static IServiceCollection AddRelayOutbox(this IServiceCollection services)
    {
        services.AddRelayOutboxOptions();
        services.TryAddSingleton<OutboxMetrics>();
        services.TryAddSingleton<LocalOutbox>();
        services.AddHostedService(provider => provider.GetRequiredService<LocalOutbox>());
        services.AddRelayGauges<OutboxGauges>();
        return services;
    }

    /// <summary><c>Relay:Outbox</c> alone, for the subcommands that open the outbox database.</summary>
    public static IServiceCollection AddRelayOutboxOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<OutboxOptions, OutboxOptionsValidator>().BindConfiguration(OutboxOptions.Section);
        return services;
    }
}
