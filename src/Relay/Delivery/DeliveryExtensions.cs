using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Telemetry;

namespace Relay.Delivery;

internal static class DeliveryExtensions
{
    /// <summary>Delivery and the outbox's forwarder; after <c>AddRelayOutbox</c>, so that the forwarder starts after the outbox and stops before it.</summary>
    public static IServiceCollection AddRelayDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton<EventDelivery>();
        services.AddHostedService<OutboxForwarder>();
        services.AddRelayGauges<DeliveryGauges>();
        return services;
    }
}
