using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Relay.Bench.Shared;

/// <summary>The HTTPS handler of the benchmark's and the soak's clients: it trusts only the given certificate.</summary>
internal static class TrustingHandler
{
    public static SocketsHttpHandler Create(X509Certificate2 trusted) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { trusted },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };
}
