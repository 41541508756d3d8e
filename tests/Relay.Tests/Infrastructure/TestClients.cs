using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Relay.Infrastructure;

/// <summary>HTTPS clients that trust only the test certificate and connect from a chosen loopback address.</summary>
internal static class TestClients
{
    /// <param name="preamble">Written on each new connection before TLS, as a load balancer writes a PROXY protocol header.</param>
    public static HttpClient Create(Uri baseAddress, X509Certificate2 trusted, IPAddress? from = null, Func<Stream, CancellationToken, Task>? preamble = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trusted },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var family = IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out var target)
                    ? target.AddressFamily
                    : AddressFamily.InterNetwork;
                var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    var stream = new NetworkStream(socket, ownsSocket: true);
                    if (preamble is not null)
                    {
                        await preamble(stream, cancellationToken);
                    }

                    return stream;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
