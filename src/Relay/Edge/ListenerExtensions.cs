using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Configuration;

namespace Relay.Edge;

internal static class ListenerExtensions
{
    /// <summary>
    /// Loads the standard <c>Kestrel</c> section (endpoints, PEM certificates, limits; reloaded on change)
    /// and tags each connection with the named endpoint that accepted it.
    /// </summary>
    public static IWebHostBuilder UseRelayListeners(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: true)
                .Endpoint(nameof(RelayListener.Public), endpoint => endpoint.ListenOptions.Use(Tag(ListenerFeature.Public)))
                .Endpoint(nameof(RelayListener.Admin), endpoint => endpoint.ListenOptions.Use(Tag(ListenerFeature.Admin)));
        });

    public static IServiceCollection AddRelayListeners(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerMatcherPolicy>());
        services.AddValidatedOptions<ListenersOptions, ListenersOptionsValidator>(ListenersOptions.Section);
        return services;
    }

    /// <summary>Serves the endpoint only on the given listener.</summary>
    public static TBuilder OnListener<TBuilder>(this TBuilder builder, RelayListener listener)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ListenerMetadata(listener));

    private static Func<ConnectionDelegate, ConnectionDelegate> Tag(ListenerFeature feature) =>
        next => connection =>
        {
            connection.Features.Set(feature);
            return next(connection);
        };
}
