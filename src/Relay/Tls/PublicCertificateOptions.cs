namespace Relay.Tls;

/// <summary>
/// <c>Kestrel:Endpoints:Public:Certificate</c>, the standard Kestrel keys of the Public listener's certificate,
/// as the reloader reads them (the listeners' validator makes sure they are there).
/// </summary>
internal sealed class PublicCertificateOptions
{
    public const string Section = "Kestrel:Endpoints:Public:Certificate";

    /// <summary>The PEM certificate (followed by its intermediates), or a PKCS#12 file when there is no key file.</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key.</summary>
    public string? KeyPath { get; set; }
}
