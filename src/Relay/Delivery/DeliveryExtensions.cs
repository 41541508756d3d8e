using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Relay.Delivery;

internal static class DeliveryExtensions
{
    public static IServiceCollection AddRelayDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton<EventDelivery>();
        return services;
    }
}
