using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Telemetry;

namespace Relay.Edge;

internal static class EdgeExtensions
{
    public static IServiceCollection AddRelayEdge(this IServiceCollection services)
    {
        services.AddRelayListeners();

        // Server spans for what comes through the Public listener; Admin's probes and scrapes are not traced.
        services.Configure<RequestTracingOptions>(tracing => tracing.IsTraced = context => context.GetListener() == RelayListener.Public);

        services.AddValidatedOptions<AllowlistOptions, AllowlistOptionsValidator>().BindConfiguration(AllowlistOptions.Section);
        services.TryAddSingleton<EdgeMetrics>();
        services.TryAddSingleton<AllowlistProvider>();
        services.AddHostedService(provider => provider.GetRequiredService<AllowlistProvider>());
        services.AddRelayGauges<AllowlistGauges>();

        services.AddValidatedOptions<TrustedProxiesOptions, TrustedProxiesOptionsValidator>().BindConfiguration(TrustedProxiesOptions.Section);
        services.TryAddSingleton<TrustedProxies>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>());
        ForwardedHeadersSwitch.Neutralize(services);

        services.TryAddSingleton<EdgeRefusals>();
        services.AddHostedService(provider => provider.GetRequiredService<EdgeRefusals>());
        services.TryAddSingleton<ConnectionGate>();

        services.AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>().BindConfiguration(RateLimitOptions.Section);
        services.AddRateLimiter(_ => { });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RateLimiterOptions>, RateLimitSetup>());
        return services;
    }

    /// <summary>
    /// The edge policy of the Public listener's requests, ahead of routing so that it covers the callback
    /// endpoint, proxied routes and unknown paths alike: client address, then allowlist. (Connections were
    /// already decided as they were accepted, by <see cref="ConnectionGate"/>.)
    /// </summary>
    public static IApplicationBuilder UseRelayEdge(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        _ = services.GetRequiredService<AllowlistProvider>(); // reads the list files: a bad one stops Relay here, before it listens
        ForwardedHeadersSwitch.WarnIfOn(services.GetRequiredService<IConfiguration>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ForwardedHeadersSwitch).FullName!));
        bool anyProxy = services.GetRequiredService<TrustedProxies>().Any;
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
            });
    }

    /// <summary>
    /// The rate limit per client address on Public, after the callback tokens are known, so that a request
    /// with a valid token is never limited (and refused addresses cost no limiter state).
    /// </summary>
    public static IApplicationBuilder UseRelayRateLimit(this IApplicationBuilder app)
    {
        bool rateLimited = app.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled;
        return rateLimited
            ? app.UseWhen(context => context.GetListener() == RelayListener.Public, edge => edge.UseRateLimiter())
            : app;
    }
}
