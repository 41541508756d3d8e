using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Relay.Health;

/// <summary>
/// On SIGTERM, before the server stops: /readyz turns not ready, and Relay keeps accepting for
/// <c>Relay:Shutdown:DrainPeriod</c> so that load balancers stop sending before connections are refused.
/// Then the server stops taking requests and finishes those in flight, the outbox commits what they
/// wrote, and the broker connection closes last.
/// </summary>
internal sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining
            ? HealthCheckResult.Unhealthy("shutting down: draining")
            : HealthCheckResult.Healthy("running"));

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var drain = options.Value.DrainPeriod;
        Log.Draining(logger, drain);
        try
        {
            await Task.Delay(drain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Stopping: not ready; accepting for {DrainPeriod} more before closing the listener")]
        public static partial void Draining(ILogger logger, TimeSpan drainPeriod);
    }
}
