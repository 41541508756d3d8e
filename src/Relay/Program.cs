using Microsoft.AspNetCore.DataProtection;
using Relay.Callbacks;
using Relay.Configuration;
using Relay.Edge;
using Relay.Health;
using Relay.Publishing;
using Relay.Telemetry;

namespace Relay;

internal static class Program
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>Composes Relay. Tests call it with their own arguments and a hook for test-only services.</summary>
    internal static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddRelayConfiguration(args);
        builder.WebHost.UseRelayListeners();
        builder.AddRelayTelemetry();
        builder.Services.AddRelayEdge();
        builder.Services.AddRelayCallbacks();
        builder.Services.AddRelayPublishing();
        builder.Services.AddRelayHealth();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider(); // no cookies or tokens: nothing to persist
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRelayEdge();
        app.MapRelayHealth();
        app.MapRelayCallbacks();
        app.MapReverseProxy();
        return app;
    }
}
