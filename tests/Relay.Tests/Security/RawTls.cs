using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Relay.Security;

/// <summary>A raw HTTP/1.1 conversation over TLS, for requests no well-behaved client would send.</summary>
internal sealed class RawTls : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private RawTls(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<RawTls> ConnectAsync(Uri uri, X509Certificate2 trusted)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, uri.Port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { trusted },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        });
        return new RawTls(tcp, tls);
    }

    public async Task SendAsync(string text)
    {
        await _tls.WriteAsync(Encoding.Latin1.GetBytes(text));
        await _tls.FlushAsync();
    }

    /// <summary>Reads until the server closes the connection or <paramref name="timeout"/> passes.</summary>
    /// <returns>What was read, and whether the server closed the connection.</returns>
    public async Task<(string Text, bool Closed)> ReadToCloseAsync(TimeSpan timeout)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                int read = await _tls.ReadAsync(buffer, cancellation.Token);
                if (read == 0)
                {
                    return (received.ToString(), true);
                }

                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
            return (received.ToString(), false);
        }
        catch (IOException)
        {
            return (received.ToString(), true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
