using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relay.Outbox;

namespace Relay.Health;

/// <summary>
/// Not ready when the outbox is full, its volume is, or it is unwritable: the one case where callbacks are
/// refused. Each clears within seconds of its cause (<see cref="LocalOutbox"/> checks every second).
/// </summary>
internal sealed class OutboxReadinessCheck(LocalOutbox outbox) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long depth = outbox.Depth;
        string waiting = string.Create(CultureInfo.InvariantCulture, $"{depth} events waiting, oldest {outbox.OldestAge.TotalSeconds:F0} s");
        return Task.FromResult(outbox.Status switch
        {
            OutboxStatus.Full => HealthCheckResult.Unhealthy($"outbox full ({waiting})"),
            OutboxStatus.NoSpace => HealthCheckResult.Unhealthy($"outbox volume full ({outbox.Describe(OutboxStatus.NoSpace)}; {waiting})"),
            OutboxStatus.Unwritable => HealthCheckResult.Unhealthy($"outbox unwritable ({outbox.Describe(OutboxStatus.Unwritable)})"),
            _ when depth > 0 => HealthCheckResult.Degraded($"outbox draining ({waiting})"),
            _ => HealthCheckResult.Healthy("outbox empty"),
        });
    }
}
