using System.Net;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Relay.Infrastructure;

namespace Relay.Tls;

public sealed class TlsTests : RelayServerTest
{
    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Handshake_Tls12And13_AreNegotiated(SslProtocols protocol)
    {
        var (_, negotiated) = await HandshakeAsync(protocol);

        Assert.Equal(protocol, negotiated);
    }

    [Fact]
    public async Task Handshake_Tls11_IsRefused()
    {
#pragma warning disable SYSLIB0039, CA5397 // Offering an obsolete protocol is the point of the test.
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(SslProtocols.Tls11));
#pragma warning restore SYSLIB0039, CA5397
    }

    [Fact]
    public async Task Callback_OverHttp2_IsAccepted()
    {
        using var client = Relay.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Relay.CallbackPath)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task Certificate_RotatedOnDisk_IsServedWithin5Seconds_WithoutDroppingOpenConnections()
    {
        var original = Relay.Certificate.Certificate;
        using var keptAlive = Relay.CreateClient();
        using (var before = await keptAlive.PostAsync(Relay.CallbackPath, Form()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var rotated = Relay.Certificate.Write("relay-test-rotated");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? served = null;
        while (DateTime.UtcNow < deadline && (served = (await HandshakeAsync(SslProtocols.Tls13)).Certificate) != rotated.Thumbprint)
        {
            await Task.Delay(200);
        }

        Assert.Equal(rotated.Thumbprint, served);

        // The connection opened before the rotation still works: it trusts only the old certificate,
        // so a new handshake would have failed.
        using var after = await keptAlive.PostAsync(Relay.CallbackPath, Form());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(original.Thumbprint, rotated.Thumbprint);
    }

    [Fact]
    public async Task Certificate_HalfWritten_KeepsServingThePreviousOne()
    {
        await using var relay = await RelayServer.StartAsync(services: builder => builder.Logging.AddFakeLogging());
        var original = relay.Certificate.Certificate;
        var logs = relay.Services.GetRequiredService<FakeLogCollector>();

        // A key that does not match the certificate: the state between "key written" and "certificate written".
        await File.WriteAllTextAsync(relay.Certificate.KeyPath,
            System.Security.Cryptography.ECDsa.Create().ExportPkcs8PrivateKeyPem());

        // Tried and refused (event 1102), observed rather than slept past.
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(10), () => logs.GetSnapshot().Any(record => record.Id.Id == 1102),
            "the half-written pair to be tried and refused");
        Assert.Equal(original.Thumbprint, (await TlsHandshake.WithAsync(relay.PublicUri.Port)).Certificate);
        using var client = relay.CreateClient();
        using var response = await client.PostAsync(relay.CallbackPath, Form());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static StringContent Form() => new(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded");

    private Task<(string? Certificate, SslProtocols Protocol)> HandshakeAsync(SslProtocols protocol) =>
        TlsHandshake.WithAsync(Relay.PublicUri.Port, protocol);
}
