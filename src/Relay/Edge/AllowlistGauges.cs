using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>The allowlist's gauge, read from the allowlist in force.</summary>
internal sealed class AllowlistGauges
{
    public AllowlistGauges(IMeterFactory meterFactory, AllowlistProvider allowlist)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.allowlist.networks", () => allowlist.Current.Active.Networks.Count, unit: "{network}",
            description: "Networks in the allowlist in force.");
    }
}
