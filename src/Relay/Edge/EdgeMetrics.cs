using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>The edge's counters: its decisions and the allowlist's reloads (the allowlist's gauge is <see cref="AllowlistGauges"/>).</summary>
internal sealed class EdgeMetrics
{
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _shadowDisagreements;
    private readonly Counter<long> _reloads;

    public EdgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _decisions = meter.CreateCounter<long>("relay.edge.decisions", unit: "{request}",
            description: "Edge decisions on the Public listener, on connections and on requests.");
        _shadowDisagreements = meter.CreateCounter<long>("relay.allowlist.shadow_disagreements", unit: "{request}",
            description: "Requests the shadow allowlist would have decided differently, by the decision in force.");
        _reloads = meter.CreateCounter<long>("relay.allowlist.reloads", unit: "{reload}",
            description: "Allowlist reloads, by result (applied, rejected).");
    }

    /// <summary>The reloads counter at zero from the start: an alert on a rejected reload sees the first one.</summary>
    public void Initialize()
    {
        _reloads.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.AllowlistResult, "applied"));
        _reloads.Add(0, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.AllowlistResult, "rejected"));
    }

    /// <param name="allowed">Whether the request may go on.</param>
    /// <param name="reason">Why: a value of <c>relay.edge.reason</c>, such as <c>allowlisted</c> or <c>not_allowlisted</c>.</param>
    /// <param name="stage">Where: <c>connection</c> (as accepted, before TLS) or <c>request</c>.</param>
    public void EdgeDecision(bool allowed, string reason, string stage)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1,
                new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EdgeDecision, allowed ? "allowed" : "refused"),
                new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EdgeReason, reason),
                new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EdgeStage, stage));
        }
    }

    public void ShadowDisagreement(bool allowedNow)
    {
        if (_shadowDisagreements.Enabled)
        {
            _shadowDisagreements.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.EdgeDecision, allowedNow ? "allowed" : "refused"));
        }
    }

    public void AllowlistReloaded(bool applied) =>
        _reloads.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.AllowlistResult, applied ? "applied" : "rejected"));
}
