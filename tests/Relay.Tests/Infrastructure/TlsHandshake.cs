using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Relay.Infrastructure;

/// <summary>A bare TLS handshake with a listener: which certificate it serves and which protocol it agreed to.</summary>
internal static class TlsHandshake
{
    public static async Task<(string? Certificate, SslProtocols Protocol)> WithAsync(int port, SslProtocols protocol = SslProtocols.Tls13)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        string? thumbprint = null;
        // Records which certificate is served; whether it is trusted is not what these tests look at.
#pragma warning disable CA5359
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false,
            (_, certificate, _, _) =>
            {
                thumbprint = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()).Thumbprint;
                return true;
            });
#pragma warning restore CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol });
        return (thumbprint, tls.SslProtocol);
    }
}
