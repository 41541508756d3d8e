using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.Configuration;
using Relay.Edge;

namespace Relay.Ens;

internal static class EnsExtensions
{
    public static IServiceCollection AddRelayEns(this IServiceCollection services)
    {
        services.AddRelayEnsOptions();

        // ENS URLs end in a source's token, as callback URLs do: taken off before routing, never recorded.
        services.AddSingleton(provider => new TokenDoor(provider.GetRequiredService<IOptions<EnsOptions>>().Value.Path));
        services.TryAddSingleton<EnsMetrics>();
        services.TryAddSingleton<EnsRefusals>();
        services.TryAddSingleton<EnsVerifier>();
        services.AddHostedService(provider => provider.GetRequiredService<EnsVerifier>());
        services.TryAddSingleton<EnsEndpoint>();
        return services;
    }

    /// <summary><c>Relay:Ens</c>, validated at start: for the server and the <c>ens</c> subcommand.</summary>
    public static IServiceCollection AddRelayEnsOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<EnsOptions, EnsOptionsValidator>().BindConfiguration(EnsOptions.Section);
        return services;
    }

    /// <summary>Maps <c>{Relay:Ens:Path}</c> (the token already taken off) for every method, ahead of proxied routes.</summary>
    public static IEndpointConventionBuilder MapRelayEns(this WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<EnsEndpoint>();
        app.Services.GetRequiredService<EnsMetrics>().Initialize();
        string path = app.Services.GetRequiredService<IOptions<EnsOptions>>().Value.Path;
        var ens = app.Map(path, endpoint.InvokeAsync)
            .OnListener(RelayListener.Public)
            .WithDisplayName("Marketing Cloud ENS");
        ens.Add(builder => ((RouteEndpointBuilder)builder).Order = -1);
        return ens;
    }
}
