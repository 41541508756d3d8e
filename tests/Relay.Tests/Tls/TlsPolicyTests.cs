using System.Text.RegularExpressions;
using Relay.Infrastructure;

namespace Relay.Tls;

/// <summary>
/// What a client that is not .NET's (openssl s_client) sees of the Public listener's TLS, on the native
/// executable with the shipped <c>config/openssl.cnf</c>: the whole chain, session resumption on TLS 1.2
/// and 1.3, and on TLS 1.2 only AEAD suites with forward secrecy.
/// </summary>
public sealed class TlsPolicyTests : IAsyncLifetime
{
    private readonly TestCertificateChain _chain = TestCertificateChain.Create();
    private RelayProcess _relay = null!;

    public async Task InitializeAsync() => _relay = await RelayProcess.StartAsync(
        settings =>
        {
            settings["Kestrel:Endpoints:Public:Certificate:Path"] = _chain.CertificatePath;
            settings["Kestrel:Endpoints:Public:Certificate:KeyPath"] = _chain.KeyPath;
        },
        new Dictionary<string, string> { ["OPENSSL_CONF"] = Path.Combine(RepositoryRoot.Path, "config", "openssl.cnf") });

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _chain.Dispose();
    }

    [Fact]
    public async Task Chain_RootIntermediateLeaf_IsVerifiedByAClientThatTrustsOnlyTheRoot()
    {
        var (exitCode, output) = await OpenSslClient.ConnectAsync(_relay.PublicUri, "-CAfile", _chain.RootPath, "-verify_return_error", "-showcerts");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(output, "-----BEGIN CERTIFICATE-----"));
        Assert.Contains("CN = relay-test-intermediate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls12Session_IsResumed()
    {
        var (exitCode, output) = await OpenSslClient.ConnectAsync(_relay.PublicUri, "-tls1_2", "-CAfile", _chain.RootPath, "-reconnect");

        Assert.True(exitCode == 0, output);
        Assert.Equal(5, Regex.Count(output, "Reused, TLSv1.2"));
    }

    [Fact]
    public async Task Tls13Session_IsResumedFromItsTicket()
    {
        string session = Path.Combine(_chain.Directory, "tls13.session");

        // TLS 1.3 tickets come after the handshake: a request and its answer let the client take one.
        var first = await OpenSslClient.SendAsync(_relay.PublicUri, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "-tls1_3", "-CAfile", _chain.RootPath, "-sess_out", session, "-ign_eof");
        var second = await OpenSslClient.ConnectAsync(_relay.PublicUri, "-tls1_3", "-CAfile", _chain.RootPath, "-sess_in", session);

        // The first client's exit code is 1: the server closes after its answer without a TLS close_notify.
        Assert.Contains("New, TLSv1.3", first.Output, StringComparison.Ordinal);
        Assert.Contains("New Session Ticket arrived", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Reused, TLSv1.3", second.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-SHA")]
    [InlineData("ECDHE-ECDSA-AES256-SHA384")]
    [InlineData("ECDHE-ECDSA-AES128-SHA256")]
    public async Task Tls12_CbcSuite_IsRefused(string cipher)
    {
        var (exitCode, output) = await OpenSslClient.ConnectAsync(_relay.PublicUri, "-tls1_2", "-cipher", cipher);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("Cipher is " + cipher, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-GCM-SHA384")]
    [InlineData("ECDHE-ECDSA-CHACHA20-POLY1305")]
    public async Task Tls12_AeadSuiteWithForwardSecrecy_IsNegotiated(string cipher)
    {
        var (exitCode, output) = await OpenSslClient.ConnectAsync(_relay.PublicUri, "-tls1_2", "-cipher", cipher, "-CAfile", _chain.RootPath);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Cipher is " + cipher, output, StringComparison.Ordinal);
    }
}
