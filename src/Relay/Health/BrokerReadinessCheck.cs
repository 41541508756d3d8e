using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relay.Publishing;

namespace Relay.Health;

/// <summary>
/// The broker's part in readiness: Degraded, not Unhealthy, when it is away, because the outbox then
/// holds callbacks and Relay still accepts them. Taking every instance out of rotation because their
/// shared broker is down would turn a delay into lost callbacks.
/// </summary>
internal sealed class BrokerReadinessCheck(BrokerConnection broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broker.State switch
        {
            BrokerState.Connected => HealthCheckResult.Healthy($"broker connected at {broker.Node}, exchange declared"),
            BrokerState.Blocked => HealthCheckResult.Degraded($"the broker blocked publishing ({broker.BlockedReason}); callbacks go to the outbox"),
            _ => HealthCheckResult.Degraded("not connected to the broker; callbacks go to the outbox"),
        });
}
