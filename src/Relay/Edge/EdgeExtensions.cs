using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal static class EdgeExtensions
{
    public static IServiceCollection AddRelayEdge(this IServiceCollection services)
    {
        services.AddRelayListeners();

        services.AddValidatedOptions<AllowlistOptions, AllowlistOptionsValidator>().BindConfiguration(AllowlistOptions.Section);
        services.TryAddSingleton<AllowlistProvider>();
        services.AddHostedService(provider => provider.GetRequiredService<AllowlistProvider>());

        services.AddValidatedOptions<TrustedProxiesOptions, TrustedProxiesOptionsValidator>().BindConfiguration(TrustedProxiesOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>());

        services.AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>().BindConfiguration(RateLimitOptions.Section);
        services.AddRateLimiter(_ => { });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RateLimiterOptions>, RateLimitSetup>());
        return services;
    }

    /// <summary>
    /// The edge policy of the Public listener, ahead of routing so that it covers the callback endpoint,
    /// proxied routes and unknown paths alike: client address, allowlist, then a rate limit per address
    /// (after the allowlist, so refused addresses cost no limiter state).
    /// </summary>
    public static IApplicationBuilder UseRelayEdge(this IApplicationBuilder app)
    {
        var trusted = app.ApplicationServices.GetRequiredService<IOptions<TrustedProxiesOptions>>().Value;
        bool anyProxy = trusted.KnownProxies.Count > 0 || trusted.KnownNetworks.Count > 0;
        bool rateLimited = app.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled;
        return app.UseWhen(
            context => context.GetListener() == RelayListener.Public,
            edge =>
            {
                // With no known proxy, ASP.NET Core's forwarded-headers middleware skips its peer check and
                // believes every caller's X-Forwarded-For. No proxy configured must mean "believe no one",
                // so the middleware is only there when there is someone to believe.
                if (anyProxy)
                {
                    edge.UseMiddleware<PeerAddressMiddleware>();
                    edge.UseForwardedHeaders();
                }

                edge.UseMiddleware<AllowlistMiddleware>();
                if (rateLimited)
                {
                    edge.UseRateLimiter();
                }
            });
    }
}
