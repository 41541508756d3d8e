using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Relay.Infrastructure;
using Relay.Telemetry;

namespace Relay.Edge;

/// <summary>
/// Behind a TCP load balancer with the PROXY protocol: 127.0.0.3 plays the balancer (a known proxy), the
/// header names the client, and only 127.0.0.1 is in the allowlist. Real connections over loopback,
/// the header written before TLS as a balancer writes it.
/// </summary>
public sealed class ProxyProtocolTests
{
    private static readonly IPAddress Balancer = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress Outsider = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Version1And2_FromTheBalancer_NameTheClient_WhichTheAllowlistJudges_AndWhichIsTheClientEverywhereAfter()
    {
        await using var relay = await StartAsync();
        using var decisions = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName, "relay.edge.decisions");

        Assert.Equal(HttpStatusCode.OK, await CallbackAsync(relay, V1("TCP4", "127.0.0.1", "10.0.0.1", 50123, 443)));
        Assert.Equal(HttpStatusCode.OK, await CallbackAsync(relay, V2(IPAddress.Parse("127.0.0.1"), 50124)));
        Assert.Equal(HttpStatusCode.OK, await CallbackAsync(relay, V2(IPAddress.Parse("::ffff:127.0.0.1"), 50125, tlvs: [0x04, 0x00, 0x02, 0xAB, 0xCD])));

        // Clients outside the allowlist: closed before TLS, whatever the version.
        Assert.Equal(EdgeAnswer.Closed, await CallbackAsync(relay, V1("TCP4", "10.1.2.3", "10.0.0.1", 50126, 443)));
        Assert.Equal(EdgeAnswer.Closed, await CallbackAsync(relay, V1("TCP6", "2001:db8::7", "2001:db8::1", 50127, 443)));
        Assert.Equal(EdgeAnswer.Closed, await CallbackAsync(relay, V2(IPAddress.Parse("2001:db8::7"), 50128)));

        // Judged as the client at the connection and again at each request (where the balancer, a known
        // proxy without X-Forwarded-For, would have been refused): the client is the connection's address.
        Assert.Equal(3, Count(decisions, "allowed", "allowlisted"));
        Assert.Equal(3, Count(decisions, "refused", "not_allowlisted"));
        Assert.Equal(0, Count(decisions, "allowed", "known_proxy"));
        Assert.Equal(3, Count(decisions, "allowed", "allowlisted", "request"));
    }

    [Fact]
    public async Task AHeaderInManySmallWrites_IsReadWhole()
    {
        await using var relay = await StartAsync();
        byte[] header = V2(IPAddress.Parse("127.0.0.1"), 50200, tlvs: [0x01, 0x00, 0x02, (byte)'h', (byte)'2']);
        Assert.Equal(HttpStatusCode.OK, await CallbackAsync(relay, header, byteByByte: true));
        Assert.Equal(HttpStatusCode.OK, await CallbackAsync(relay, V1("TCP4", "127.0.0.1", "10.0.0.1", 50201, 443), byteByByte: true));
    }

    [Fact]
    public async Task MalformedOversizedMissingOrLateHeaders_AndRefusedFamilies_CloseTheConnection_AndAreCounted()
    {
        await using var relay = await StartAsync(settings => settings["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:02");
        using var decisions = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName, "relay.edge.decisions");
        byte[][] refused =
        [
            Encoding.ASCII.GetBytes("PROXY TCP4 127.0.0.1\r\n"),
            Encoding.ASCII.GetBytes("PROXY TCP4 127.0.0.1 10.0.0.1 99999 443\r\n"),
            Encoding.ASCII.GetBytes("PROXY TCP6 127.0.0.1 10.0.0.1 1 443\r\n"),
            Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n"),
            Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120) + "\r\n"),
            V2(IPAddress.Parse("127.0.0.1"), 1, tlvs: new byte[5000]),
            V2(IPAddress.Parse("127.0.0.1"), 1, tlvs: [0x01, 0x00, 0x09, 0x00]),
            V2Raw(0x21, 0x31, new byte[216]),
            V2Raw(0x21, 0x12, new byte[12]),
            V2Raw(0x21, 0x00, []),
            V2Raw(0x31, 0x11, new byte[12]),
            [],
        ];
        foreach (byte[] header in refused)
        {
            Assert.Equal(EdgeAnswer.Closed, await CallbackAsync(relay, header));
        }

        // A header begun and never finished: closed once RequestHeadersTimeout has passed.
        var watch = Stopwatch.StartNew();
        using (var late = new TcpClient(new IPEndPoint(Balancer, 0)))
        {
            await late.ConnectAsync(relay.PublicUri.Host, relay.PublicUri.Port);
            var stream = late.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 127.0.0.1 "));
            Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.Equal(refused.Length + 1, Count(decisions, "refused", "proxy_protocol"));
    }

    [Fact]
    public async Task TheLocalCommand_IsJudgedOnTheBalancersOwnAddress()
    {
        await using var relay = await StartAsync();
        using var decisions = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName, "relay.edge.decisions");
        using var client = relay.CreateClient(Balancer, Preamble(V2Raw(0x20, 0x00, new byte[12])));

        // Past the connection stage and TLS as the known proxy it is; its own requests carry no client,
        // so the request stage refuses them as it refuses any proxy's request without X-Forwarded-For.
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, Count(decisions, "allowed", "known_proxy"));
    }

    [Fact]
    public async Task FromAPeerThatIsNotAProxy_ProxyBytesAreNeverBelieved()
    {
        await using var relay = await StartAsync(settings => settings["Relay:Allowlist:Networks:1"] = "127.0.0.2/32");

        // 127.0.0.2 is allowlisted but no proxy: its "header" claiming 127.0.0.1 is just bytes before TLS, which fail.
        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(async () =>
        {
            using var client = relay.CreateClient(Outsider, Preamble(V1("TCP4", "127.0.0.1", "10.0.0.1", 1, 443)));
            return await client.PostAsync(relay.CallbackPath, new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"));
        }));

        // Judged on its own address, without a header, it is a client like any other.
        using var response = await relay.PostCallbackAsync(CallbackForms.Success(), from: Outsider);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithTheSettingOff_TheBalancerIsAKnownProxy_AndAHeaderIsNotRead()
    {
        await using var relay = await StartAsync(settings => settings["Relay:ForwardedHeaders:ProxyProtocol"] = "false");
        Assert.Equal(EdgeAnswer.Closed, await CallbackAsync(relay, V1("TCP4", "127.0.0.1", "10.0.0.1", 1, 443)));

        using var client = relay.CreateClient(Balancer);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.1");
        using var response = await client.PostAsync(relay.CallbackPath, new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void TurnedOnWithoutAKnownProxy_RelayRefusesToStart_NamingTheKey()
    {
        var settings = RelayServer.DefaultSettings(TestCertificate.Create());
        settings["Relay:ForwardedHeaders:ProxyProtocol"] = "true";
        var failure = Assert.Throws<Configuration.RelayConfigurationException>(() => RelayServer.Build(settings));
        Assert.Contains(failure.Failures, line => line.StartsWith("Relay:ForwardedHeaders:ProxyProtocol:", StringComparison.Ordinal));
    }

    private static Task<RelayServer> StartAsync(Action<Dictionary<string, string?>>? configure = null) =>
        RelayServer.StartAsync(settings =>
        {
            settings["Relay:ForwardedHeaders:KnownProxies:0"] = Balancer.ToString();
            settings["Relay:ForwardedHeaders:ProxyProtocol"] = "true";
            configure?.Invoke(settings);
        });

    /// <summary>A callback through the balancer: its connection from 127.0.0.3, beginning with <paramref name="header"/>.</summary>
    private static Task<HttpStatusCode?> CallbackAsync(RelayServer relay, byte[] header, bool byteByByte = false) =>
        EdgeAnswer.OfAsync(async () =>
        {
            using var client = relay.CreateClient(Balancer, Preamble(header, byteByByte));
            return await client.PostAsync(relay.CallbackPath, new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"));
        });

    private static Func<Stream, CancellationToken, Task> Preamble(byte[] header, bool byteByByte = false) => async (stream, cancellationToken) =>
    {
        if (!byteByByte)
        {
            await stream.WriteAsync(header, cancellationToken);
            return;
        }

        for (int i = 0; i < header.Length; i++)
        {
            await stream.WriteAsync(header.AsMemory(i, 1), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    };

    private static byte[] V1(string protocol, string source, string destination, int sourcePort, int destinationPort) =>
        Encoding.ASCII.GetBytes($"PROXY {protocol} {source} {destination} {sourcePort} {destinationPort}\r\n");

    /// <summary>A version 2 PROXY command over TCP for <paramref name="client"/>, to 10.0.0.1:443 (or [2001:db8::1]:443).</summary>
    private static byte[] V2(IPAddress client, int port, byte[]? tlvs = null)
    {
        bool v4 = client.AddressFamily == AddressFamily.InterNetwork;
        var addresses = new byte[v4 ? 12 : 36];
        int size = v4 ? 4 : 16;
        client.GetAddressBytes().CopyTo(addresses, 0);
        (v4 ? IPAddress.Parse("10.0.0.1") : IPAddress.Parse("2001:db8::1")).GetAddressBytes().CopyTo(addresses, size);
        BinaryPrimitives.WriteUInt16BigEndian(addresses.AsSpan(2 * size), (ushort)port);
        BinaryPrimitives.WriteUInt16BigEndian(addresses.AsSpan(2 * size + 2), 443);
        return V2Raw(0x21, v4 ? (byte)0x11 : (byte)0x21, [.. addresses, .. tlvs ?? []]);
    }

    private static byte[] V2Raw(byte versionCommand, byte familyProtocol, byte[] block)
    {
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, versionCommand, familyProtocol, 0, 0, .. block];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)block.Length);
        return header;
    }

    private static long Count(MetricCollector<long> collector, string decision, string reason, string stage = "connection") =>
        collector.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue(RelayTelemetry.Attributes.EdgeDecision, out var d) && (string?)d == decision
            && m.Tags.TryGetValue(RelayTelemetry.Attributes.EdgeReason, out var r) && (string?)r == reason
            && m.Tags.TryGetValue(RelayTelemetry.Attributes.EdgeStage, out var s) && (string?)s == stage).Sum(m => m.Value);
}
