using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Edge;
using Relay.Events;

namespace Relay.Callbacks;

internal static class CallbackExtensions
{
    public static IServiceCollection AddRelayCallbacks(this IServiceCollection services)
    {
        services.AddValidatedOptions<CallbackOptions, CallbackOptionsValidator>(CallbackOptions.Section);
        services.TryAddSingleton(provider =>
            new CallbackEventFactory(provider.GetRequiredService<IOptions<CallbackOptions>>().Value.ToEventOptions()));
        services.TryAddSingleton<CallbackEndpoint>();
        return services;
    }

    /// <summary>
    /// Maps the callback path for every method, so that a wrong method gets 405 here rather than falling
    /// through to a proxied route.
    /// </summary>
    public static IEndpointConventionBuilder MapRelayCallbacks(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<CallbackEndpoint>();
        string path = app.Services.GetRequiredService<IOptions<CallbackOptions>>().Value.Path;
        var callbacks = app.Map(path, endpoint.InvokeAsync)
            .OnListener(RelayListener.Public)
            .WithDisplayName("Marketing Cloud callback");

        // Ahead of proxied routes, even one configured on the very same path.
        callbacks.Add(builder => ((RouteEndpointBuilder)builder).Order = -1);
        return callbacks;
    }
}
