using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Edge;
using Relay.Telemetry;

namespace Relay.Reconciliation;

internal static class ReconciliationExtensions
{
    public static IServiceCollection AddRelayReconciliation(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReconciliationOptions, ReconciliationOptionsValidator>().BindConfiguration(ReconciliationOptions.Section);
        services.TryAddSingleton<ReconciliationMetrics>();
        services.TryAddSingleton<MarketingCloudAccounts>();
        services.TryAddSingleton<ExpectationResolver>();
        services.TryAddSingleton<OpenExpectations>();
        services.TryAddSingleton<CallbackObserver>();
        services.TryAddSingleton<ExpectationSteps>();
        services.TryAddSingleton<ExpectationConsumer>();
        services.TryAddSingleton<Reconciler>();
        services.AddHostedService(provider => provider.GetRequiredService<Reconciler>());
        services.AddRelayGauges<ReconciliationGauges>();
        services.TryAddSingleton<ExpectationRegistrar>();
        services.TryAddSingleton<ExpectationsEndpoint>();
        return services;
    }

    /// <summary><c>POST /expectations</c> on Admin, while reconciliation is enabled.</summary>
    public static WebApplication MapRelayExpectations(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ReconciliationOptions>>().Value.Enabled)
        {
            var endpoint = app.Services.GetRequiredService<ExpectationsEndpoint>();
            app.MapPost("/expectations", endpoint.InvokeAsync)
                .OnListener(RelayListener.Admin)
                .WithDisplayName("Register expectations");
        }

        return app;
    }
}
