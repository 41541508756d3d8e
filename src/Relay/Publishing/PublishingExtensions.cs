using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Configuration;
using Relay.Telemetry;

namespace Relay.Publishing;

internal static class PublishingExtensions
{
    public static IServiceCollection AddRelayPublishing(this IServiceCollection services)
    {
        services.AddRelayBrokerOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PublishingMetrics>();
        services.TryAddSingleton<BrokerConnection>();
        services.AddHostedService(provider => provider.GetRequiredService<BrokerConnection>());
        services.AddRelayGauges<BrokerGauges>();
        services.TryAddSingleton<IEventPublisher, EventPublisher>();
        return services;
    }

    /// <summary><c>Relay:RabbitMq</c> alone, for the subcommands that talk to the broker.</summary>
    public static IServiceCollection AddRelayBrokerOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<RabbitMqOptions, RabbitMqOptionsValidator>().BindConfiguration(RabbitMqOptions.Section);
        return services;
    }
}
