using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Relay.Telemetry;

/// <summary>Relay's own instruments. Names and tags are listed in the README's operations section.</summary>
internal sealed class RelayMetrics
{
    private readonly Counter<long> _callbacks;
    private readonly Counter<long> _edgeDecisions;
    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _shadowDisagreements;

    public RelayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _callbacks = meter.CreateCounter<long>(
            "relay.callbacks", unit: "{callback}",
            description: "Callback requests answered, by outcome.");
        _edgeDecisions = meter.CreateCounter<long>(
            "relay.edge.decisions", unit: "{request}",
            description: "Edge decisions on the Public listener, on connections and on requests.");
        _shadowDisagreements = meter.CreateCounter<long>(
            "relay.allowlist.shadow_disagreements", unit: "{request}",
            description: "Requests the shadow allowlist would have decided differently, by the decision in force.");
        _publishDuration = meter.CreateHistogram(
            "relay.publish.duration", unit: "s",
            description: "Time from publishing an event to the broker's confirm (or failure).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    public void Callback(string outcome)
    {
        if (_callbacks.Enabled)
        {
            _callbacks.Add(1, new KeyValuePair<string, object?>(RelayTelemetry.Attributes.CallbackOutcome, outcome));
        }
    }

    /// <param name="allowed">Whether the request may go on.</param>
    /// <param name="reason">Why: a value of <c>relay.edge.reason</c>, such as <c>allowlisted</c> or <c>not_allowlisted</c>.</param>
    /// <param name="stage">Where: <c>connection</c> (as accepted, before TLS) or <c>request</c>.</param>
    public void EdgeDecision(bool allowed, string reason, string stage)
    {
        if (_edgeDecisions.Enabled)
        {
            _edgeDecisions.Add(1,
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

    public void PublishDuration(TimeSpan duration, string outcome)
    {
        if (_publishDuration.Enabled)
        {
            var tags = new TagList { { RelayTelemetry.Attributes.PublishOutcome, outcome } };
            _publishDuration.Record(duration.TotalSeconds, tags);
        }
    }
}
