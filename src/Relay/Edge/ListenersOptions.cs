namespace Relay.Edge;

/// <summary>
/// The parts of the standard <c>Kestrel:Endpoints</c> section that Relay needs to be sure of at start:
/// Kestrel reads the section itself; this only lets a broken one fail with the key named.
/// </summary>
internal sealed class ListenersOptions
{
    public const string Section = "Kestrel:Endpoints";

    public EndpointSettings? Public { get; set; }

    public EndpointSettings? Admin { get; set; }

    internal sealed class EndpointSettings
    {
        public string? Url { get; set; }

        public CertificateSettings? Certificate { get; set; }
    }

    internal sealed class CertificateSettings
    {
        public string? Path { get; set; }

        public string? KeyPath { get; set; }
    }
}
