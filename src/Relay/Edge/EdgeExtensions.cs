using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

internal static class EdgeExtensions
{
    public static IServiceCollection AddRelayEdge(this IServiceCollection services)
    {
        services.AddRelayListeners();

        services.AddOptions<AllowlistOptions>()
            .BindConfiguration(AllowlistOptions.Section, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AllowlistOptions>, AllowlistOptionsValidator>());
        services.TryAddSingleton(provider => AllowlistLoader.Load(
            provider.GetRequiredService<IOptions<AllowlistOptions>>().Value,
            provider.GetRequiredService<IHostEnvironment>().ContentRootPath,
            errors: []));

        services.AddOptions<TrustedProxiesOptions>()
            .BindConfiguration(TrustedProxiesOptions.Section, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrustedProxiesOptions>, TrustedProxiesOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>());
        return services;
    }

    /// <summary>
    /// The edge policy of the Public listener, ahead of routing so that it covers the callback endpoint,
    /// proxied routes and unknown paths alike: client address, then allowlist.
    /// </summary>
    public static IApplicationBuilder UseRelayEdge(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.GetListener() == RelayListener.Public,
            edge => edge
                .UseForwardedHeaders()
                .UseMiddleware<AllowlistMiddleware>());
}
