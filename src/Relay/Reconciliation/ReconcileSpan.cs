using System.Diagnostics;
using Relay.Core.Reconciliation;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>The <c>reconcile</c> span of an expectation.</summary>
internal static class ReconcileSpan
{
    /// <summary>
    /// Starts it in a trace of its own, linked to the producer's trace and, for a call fulfilled by its
    /// callback, to the callback's.
    /// </summary>
    public static Activity? Start(Expectation expectation, ActivityContext callbackTrace = default)
    {
        var links = new List<ActivityLink>(2);
        if (expectation.TraceParent is { } producer && ActivityContext.TryParse(producer, null, out var context))
        {
            links.Add(new ActivityLink(context));
        }

        if (callbackTrace != default)
        {
            links.Add(new ActivityLink(callbackTrace));
        }

        var activity = RelayTelemetry.ActivitySource.StartActivity("reconcile", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag(RelayTelemetry.Attributes.RequestId, RelayTelemetry.Capped(expectation.RequestId));
        activity?.SetTag(RelayTelemetry.Attributes.Source, expectation.Source);
        return activity;
    }
}
