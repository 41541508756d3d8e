using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Relay.Outbox;

internal static class OutboxExtensions
{
    /// <summary>Registers the outbox after the broker connection, so that on shutdown it stops before it.</summary>
    public static IServiceCollection AddRelayOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.TryAddSingleton<LocalOutbox>();
        services.AddHostedService(provider => provider.GetRequiredService<LocalOutbox>());
        services.AddHostedService<OutboxForwarder>();
        return services;
    }
}
