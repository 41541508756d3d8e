using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Configuration;
using Relay.Telemetry;
using Relay.Tls;

namespace Relay.Edge;

internal static class ListenerExtensions
{
    /// <summary>
    /// Loads the standard <c>Kestrel</c> section (endpoints, PEM certificates, limits)
    /// and tags each connection with the named endpoint that accepted it.
    /// </summary>
    public static IWebHostBuilder UseRelayListeners(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;

            // The standard Kestrel section configures endpoints by itself; its limits need binding.
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);

            // TLS 1.2 and 1.3 only, unless an endpoint's own SslProtocols says otherwise.
            kestrel.ConfigureHttpsDefaults(https => https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13);
            // Endpoints are read at start. Kestrel's own reload-on-change would also watch the certificate
            // files, and its watcher can deadlock against a file change during binding; the certificate is
            // reloaded by CertificateReloader instead.
            kestrel.Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: false)
                .Endpoint(nameof(RelayListener.Public), endpoint =>
                {
                    endpoint.ListenOptions.Use(Tag(ListenerFeature.Public));
                    // Before the TLS handshake, which Kestrel adds after this callback.
                    var gate = kestrel.ApplicationServices.GetRequiredService<ConnectionGate>();
                    endpoint.ListenOptions.Use(next => gate.Wrap(next, kestrel.Limits.RequestHeadersTimeout));
                    if (endpoint.IsHttps)
                    {
                        // Replaces the certificate Kestrel loaded from the same files, just before each handshake.
                        var reloader = kestrel.ApplicationServices.GetRequiredService<CertificateReloader>();
                        endpoint.HttpsOptions.OnAuthenticate = (_, tls) => TlsPolicy.Apply(tls, reloader.Current);
                    }
                })
                .Endpoint(nameof(RelayListener.Admin), endpoint => endpoint.ListenOptions.Use(Tag(ListenerFeature.Admin)));
        });

    public static IServiceCollection AddRelayListeners(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerMatcherPolicy>());
        services.AddValidatedOptions<ListenersOptions, ListenersOptionsValidator>().BindConfiguration(ListenersOptions.Section);
        services.AddOptions<PublicCertificateOptions>().BindConfiguration(PublicCertificateOptions.Section);
        services.TryAddSingleton<CertificateReloader>();
        services.AddHostedService(provider => provider.GetRequiredService<CertificateReloader>());
        services.AddRelayGauges<TlsGauges>();
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
