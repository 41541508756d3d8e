using System.Net.Security;

namespace Relay.Tls;

/// <summary>
/// How the Public listener's TLS handshakes are made: the certificate with its whole chain from one cached
/// <see cref="SslStreamCertificateContext"/>, so that no handshake builds a chain and TLS session resumption
/// works across handshakes that share it. The cipher suites are left to OpenSSL's configuration
/// (<c>config/openssl.cnf</c> through <c>OPENSSL_CONF</c>): naming them here (a <see cref="CipherSuitesPolicy"/>)
/// would turn session resumption off on Linux.
/// </summary>
internal static partial class TlsPolicy
{
    /// <summary>Called by Kestrel just before each handshake, with the options it prepared.</summary>
    public static void Apply(SslServerAuthenticationOptions options, SslStreamCertificateContext certificate)
    {
        options.ServerCertificate = null;
        options.ServerCertificateSelectionCallback = null;
        options.ServerCertificateContext = certificate;
    }

    /// <summary>Without an OpenSSL configuration of its own, TLS 1.2 offers the platform's default suites, CBC included.</summary>
    public static void WarnIfDefaultCipherSuites(ILogger logger)
    {
        if (OperatingSystem.IsLinux() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENSSL_CONF")))
        {
            Log.DefaultCipherSuites(logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "OPENSSL_CONF is not set: TLS 1.2 on Public offers OpenSSL's default cipher suites, CBC included. Set OPENSSL_CONF=config/openssl.cnf (AEAD with forward secrecy only), as the container image does")]
        public static partial void DefaultCipherSuites(ILogger logger);
    }
}
