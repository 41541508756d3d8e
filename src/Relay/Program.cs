using Microsoft.AspNetCore.DataProtection;
using Relay.Archive;
using Relay.Callbacks;
using Relay.Configuration;
using Relay.Delivery;
using Relay.Edge;
using Relay.Ens;
using Relay.Health;
using Relay.Outbox;
using Relay.Publishing;
using Relay.Reconciliation;
using Relay.Telemetry;

namespace Relay;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (RelayCommands.IsCommand(args))
        {
            return await RelayCommands.RunAsync(args, Console.Out, Console.Error);
        }

        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (RelayConfigurationException ex)
        {
            await ex.PrintAsync(Console.Error, ConfigurationHeading);
            return 2;
        }

        return await RunAsync(app);
    }

    /// <summary>
    /// Runs Relay until it stops: 0 when it was asked to (SIGTERM, Ctrl+C), 2 when its configuration cannot
    /// work, 1 when it stopped because a background service failed, so that a supervisor restarts it.
    /// </summary>
    internal static async Task<int> RunAsync(WebApplication app)
    {
        var backgroundServices = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        try
        {
            await app.RunAsync();
        }
        catch (RelayConfigurationException ex)
        {
            // Settings that can only be checked by using them, such as an outbox folder that cannot be opened.
            await ex.PrintAsync(Console.Error, ConfigurationHeading);
            return 2;
        }
        catch (IOException ex)
        {
            // Typically a listener address already in use.
            await Console.Error.WriteLineAsync("Relay cannot start: " + ex.Message);
            return 2;
        }

        if (backgroundServices.FirstOrDefault(service => service.ExecuteTask is { IsFaulted: true }) is { } failed)
        {
            await Console.Error.WriteLineAsync($"Relay stopped because {failed.GetType().Name} failed: {failed.ExecuteTask!.Exception!.InnerException?.Message}");
            return 1;
        }

        return 0;
    }

    private const string ConfigurationHeading = "Relay cannot start; fix its configuration:";

    /// <summary>Composes Relay. Tests call it with their own arguments and a hook for test-only services.</summary>
    internal static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddRelayConfiguration(args);
        builder.WebHost.UseRelayListeners();
        builder.AddRelayTelemetry();
        builder.Services.AddRelayEdge();
        builder.Services.AddRelayCallbacks();
        builder.Services.AddRelayEns();
        builder.Services.AddRelayPublishing();
        builder.Services.AddRelayArchive();
        builder.Services.AddRelayOutbox();
        builder.Services.AddRelayDelivery();
        builder.Services.AddRelayReconciliation();
        builder.Services.AddRelayHealth();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider(); // no cookies or tokens: nothing to persist
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.ValidateRelayConfiguration();
        app.UseRelayEdge();
        app.UseRelayCallbackTokens();
        app.UseRelayRateLimit();
        app.UseRouting();
        app.MapRelayHealth();
        app.MapRelayMetrics().OnListener(RelayListener.Admin);
        app.MapRelayExpectations();
        app.MapRelayCallbacks();
        app.MapRelayEns();
        app.MapReverseProxy();
        return app;
    }
}
