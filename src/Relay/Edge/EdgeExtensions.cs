using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal static class EdgeExtensions
{
    public static IServiceCollection AddRelayEdge(this IServiceCollection services)
    {
        services.AddRelayListeners();

        services.AddValidatedOptions<AllowlistOptions, AllowlistOptionsValidator>(AllowlistOptions.Section);
        services.TryAddSingleton(provider => AllowlistLoader.Load(
            provider.GetRequiredService<IOptions<AllowlistOptions>>().Value,
            provider.GetRequiredService<IHostEnvironment>().ContentRootPath,
            errors: []));

        services.AddValidatedOptions<TrustedProxiesOptions, TrustedProxiesOptionsValidator>(TrustedProxiesOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>());
        return services;
    }

    /// <summary>
    /// The edge policy of the Public listener, ahead of routing so that it covers the callback endpoint,
    /// proxied routes and unknown paths alike: client address, then allowlist.
    /// </summary>
    public static IApplicationBuilder UseRelayEdge(this IApplicationBuilder app)
    {
        var trusted = app.ApplicationServices.GetRequiredService<IOptions<TrustedProxiesOptions>>().Value;
        bool anyProxy = trusted.KnownProxies.Count > 0 || trusted.KnownNetworks.Count > 0;
        return app.UseWhen(
            context => context.GetListener() == RelayListener.Public,
            edge =>
            {
                // With no known proxy, ASP.NET Core's forwarded-headers middleware skips its peer check and
                // believes every caller's X-Forwarded-For. No proxy configured must mean "believe no one",
                // so the middleware is only there when there is someone to believe.
                if (anyProxy)
                {
                    edge.UseForwardedHeaders();
                }

                edge.UseMiddleware<AllowlistMiddleware>();
            });
    }
}
