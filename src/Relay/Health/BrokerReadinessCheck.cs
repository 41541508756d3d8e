using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relay.Publishing;

namespace Relay.Health;

/// <summary>Ready when the broker is connected, the topology declared and publishing not blocked.</summary>
internal sealed class BrokerReadinessCheck(BrokerConnection broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broker.State switch
        {
            BrokerState.Connected => HealthCheckResult.Healthy("broker connected, exchange declared"),
            BrokerState.Blocked => HealthCheckResult.Unhealthy($"the broker blocked publishing: {broker.BlockedReason}"),
            _ => HealthCheckResult.Unhealthy("not connected to the broker"),
        });
}
