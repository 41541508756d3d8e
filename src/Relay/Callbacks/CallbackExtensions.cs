using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Delivery;
using Relay.Edge;
using Relay.Telemetry;

namespace Relay.Callbacks;

internal static class CallbackExtensions
{
    public static IServiceCollection AddRelayCallbacks(this IServiceCollection services)
    {
        services.AddRelayCallbackOptions();
        services.TryAddSingleton<CallbackMetrics>();
        services.TryAddSingleton<CallbackSources>();
        services.AddSingleton(provider =>
        {
            var callbacks = provider.GetRequiredService<IOptions<CallbackOptions>>().Value;
            return new TokenDoor(callbacks.Path, callbacks.AllowTokenless);
        });
        services.TryAddSingleton<CallbackPathRedactor>();

        // The last segment of a callback URL is a secret: url.path never carries it.
        services.AddOptions<RequestTracingOptions>().Configure<CallbackPathRedactor>((tracing, redactor) =>
            tracing.RecordedPath = redactor.Redact);
        services.TryAddSingleton<LargeCallbackReclaimer>();
        services.TryAddSingleton<CallbackMemoryBudget>();
        services.TryAddSingleton<IDeliveryMemory>(provider => provider.GetRequiredService<CallbackMemoryBudget>());
        services.TryAddSingleton<LargeNormalizationTurns>();
        services.TryAddSingleton<CallbackBodies>();
        services.AddRelayGauges<CallbackGauges>();
        services.TryAddSingleton<CallbackEndpoint>();
        return services;
    }

    /// <summary><c>Relay:Callbacks</c>, validated at start: for the server and the subcommands that read the sources.</summary>
    public static IServiceCollection AddRelayCallbackOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<CallbackOptions, CallbackOptionsValidator>().BindConfiguration(CallbackOptions.Section);
        return services;
    }

    /// <summary>
    /// Takes the token off callback URLs; must come before routing, so that no path seen downstream holds it.
    /// </summary>
    public static IApplicationBuilder UseRelayCallbackTokens(this IApplicationBuilder app) =>
        app.UseWhen(context => context.GetListener() == RelayListener.Public, callbacks => callbacks.UseMiddleware<CallbackTokenMiddleware>());

    /// <summary>
    /// Maps the callback endpoint (URLs <c>{Path}/{token}</c>, the token already taken off by
    /// <see cref="UseRelayCallbackTokens"/>) for every method, so that a wrong method gets 405 here rather
    /// than falling through to a proxied route, and ahead of proxied routes, even one on the same path.
    /// </summary>
    public static IEndpointConventionBuilder MapRelayCallbacks(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<CallbackEndpoint>();
        string path = app.Services.GetRequiredService<IOptions<CallbackOptions>>().Value.Path;
        endpoint.WarnIfTokenless();

        var callbacks = app.Map(path, endpoint.InvokeAsync)
            .OnListener(RelayListener.Public)
            .WithDisplayName("Marketing Cloud callback");
        callbacks.Add(builder => ((RouteEndpointBuilder)builder).Order = -1);
        return callbacks;
    }
}
