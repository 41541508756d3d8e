using System.Diagnostics.Metrics;
using Relay.Telemetry;

namespace Relay.Tls;

/// <summary>The certificate's instrument: how long the one in service has left, for an alert well before it ends.</summary>
internal sealed class TlsGauges
{
    public TlsGauges(IMeterFactory meterFactory, CertificateReloader certificate, TimeProvider time)
    {
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        meter.CreateObservableGauge("relay.tls.certificate.expiry",
            () => (new DateTimeOffset(certificate.Current.TargetCertificate.NotAfter.ToUniversalTime()) - time.GetUtcNow()).TotalSeconds,
            unit: "s", description: "Time until the Public certificate in service ends; negative once it has.");
    }
}
