using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Relay.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry configured by the standard <c>OTEL_*</c> variables: server spans of the Public listener,
    /// Relay's publish spans, Relay's, ASP.NET Core's and the runtime's metrics. The RabbitMQ client's own
    /// publish span is not subscribed: Relay's covers the same publish (plus its confirm) by the messaging
    /// conventions, and a second span per callback cost CPU and said nothing new.
    /// Metrics are scraped from <c>/metrics</c> on Admin. Logs carry trace and span ids. The OTLP exporter
    /// (traces, metrics and logs) is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddRelayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddHostedService<RuntimeAtStart>();

        // No logging configuration may let the hosting diagnostics record a callback URL's token.
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(services => new RequestTargetSafeLoggerFactory(
            new LoggerFactory(
                services.GetServices<ILoggerProvider>(),
                services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                services.GetService<IOptions<LoggerFactoryOptions>>(),
                services.GetService<IExternalScopeProvider>()))));

        // Every log record carries the trace and span of the request it belongs to.
        builder.Logging.Configure(logging =>
            logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });

        // What is traced and how a path is recorded, as the features said, read once rather than per request.
        // A path may hold a secret (a callback URL's token): url.path records it as the features say.
        builder.Services.AddOptions<AspNetCoreTraceInstrumentationOptions>().Configure<IOptions<RequestTracingOptions>>((aspNetCore, options) =>
        {
            var tracing = options.Value;
            aspNetCore.Filter = tracing.IsTraced;
            aspNetCore.EnrichWithHttpRequest = (activity, request) =>
                activity.SetTag("url.path", tracing.RecordedPath(request.Path.Value ?? string.Empty));
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "relay"))
            .WithTracing(tracing => tracing
                .AddSource(RelayTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation())
            .WithMetrics(metrics => metrics
                // The SDK reserves room for 2,000 series per instrument up front: about 10 MB of large-object
                // heap for Relay's fifty instruments, whose series number in the tens. Past the limit a series
                // is counted in the instrument's overflow series, not lost.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = RelayTelemetry.MetricCardinalityLimit })
                .AddMeter(RelayTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter())
            .WithLogging();

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The Prometheus scrape endpoint; the composition says on which listener.</summary>
    public static IEndpointConventionBuilder MapRelayMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");

}
