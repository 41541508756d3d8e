using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Security;

/// <summary>
/// The edge under attack, against the native executable as it ships: each attack gets its documented
/// answer, legitimate callbacks from an allowlisted address keep getting 200 while it goes on, nothing is
/// published for the attacker, and Relay stays healthy.
/// </summary>
public sealed class AttackTests
{
    private static readonly IPAddress Outsider = IPAddress.Parse("127.0.0.2");

    public static TheoryData<string, bool> ForwardedHeadersSwitches => new()
    {
        { "ASPNETCORE_FORWARDEDHEADERS_ENABLED", true },
        { "ForwardedHeaders_Enabled", false },
    };

    [Theory]
    [MemberData(nameof(ForwardedHeadersSwitches))]
    public async Task FrameworkForwardedHeadersSwitch_InEitherForm_IsIgnored(string name, bool environment)
    {
        await using var relay = await RelayProcess.StartAsync(
            settings => { if (!environment) { settings[name] = "true"; } },
            environment ? new Dictionary<string, string> { [name] = "true" } : null);
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var allowed = relay.CreateClient();
        using var outsider = relay.CreateClient(Outsider);

        // Were the header believed, the allowlisted peer naming an outsider would be refused, and the
        // outsider naming an allowlisted address let in.
        var naming = await EdgeAnswer.OfAsync(() => allowed.SendAsync(Callback(relay.CallbackPath, "from-allowed", forwardedFor: "127.0.0.2")));
        var spoofing = await EdgeAnswer.OfAsync(() => outsider.SendAsync(Callback(relay.CallbackPath, "from-outsider", forwardedFor: "127.0.0.1")));

        Assert.Equal(HttpStatusCode.OK, naming);
        Assert.Equal(EdgeAnswer.Closed, spoofing);
        Assert.Equal("from-allowed", (await queue.ReceiveAsync()).Subject);
        await queue.AssertEmptyAsync();
        Assert.Contains("ForwardedHeaders_Enabled (ASPNETCORE_FORWARDEDHEADERS_ENABLED) is set and ignored", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldConnections_FromOutsiders_PlainAndTls_CostLegitimateCallbacksNothing()
    {
        await using var relay = await RelayProcess.StartAsync(settings => settings["Kestrel:Limits:MaxConcurrentConnections"] = "20");
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        var held = new List<Socket>();
        try
        {
            // Hundreds of connections opened and kept from outside the allowlist, half of them starting TLS.
            for (int i = 0; i < 300; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(Outsider, 0));
                await socket.ConnectAsync(IPAddress.Loopback, relay.PublicUri.Port);
                if (i % 2 == 1)
                {
                    _ = StartTlsAsync(socket, relay.Certificate.Certificate);
                }

                held.Add(socket);
            }

            var load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, 200, 4);
            Assert.True(load.Sent == load.Accepted.Count, load.ToString());
            Assert.Equal(200, (await queue.DrainAsync(expected: 200)).Select(delivered => delivered.MessageId).Distinct().Count());

            // Relay closed every one of them as it was accepted: the other side reads the end of the stream.
            foreach (var socket in held.Where((_, index) => index % 2 == 0).Take(20))
            {
                Assert.True(await ClosedByServerAsync(socket), "an outsider's connection was kept open");
            }
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }

        Assert.Equal("Healthy", (await relay.ReadinessAsync()).Body);
    }

    [Fact]
    public async Task ThousandsOfRefusals_WriteABoundedLog_WithASummary()
    {
        await using var relay = await RelayProcess.StartAsync();
        int before = relay.Log.Split('\n').Length;

        for (int i = 0; i < 3000; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(Outsider, 0));
            await socket.ConnectAsync(IPAddress.Loopback, relay.PublicUri.Port);
        }

        using (var callback = await relay.PostCallbackAsync(CallbackForms.Success("during-the-flood")))
        {
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        var deadline = DateTime.UtcNow + EdgeRefusalsInterval + TimeSpan.FromSeconds(5);
        while (!relay.Log.Contains("connections and requests on Public", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        string[] added = relay.Log.Split('\n')[before..];
        Assert.Contains(added, line => line.Contains("Refused 3000 connections and requests on Public", StringComparison.Ordinal)
            && line.Contains("from 1 addresses; busiest: 127.0.0.2 (3000)", StringComparison.Ordinal));
        Assert.True(added.Length < 30, $"{added.Length} log lines for 3,000 refusals:\n{string.Join('\n', added.Take(40))}");
    }

    public static TheoryData<string, string, bool> LoggingSettings => new()
    {
        { "Logging:LogLevel:Default", "Trace", false },
        { "Logging:Console:LogLevel:Default", "Trace", false },
        { "Logging:Console:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Trace", false },
        { "Logging__Console__LogLevel__Default", "Trace", true },
        { "Logging__LogLevel__Microsoft", "Trace", true },
    };

    [Theory]
    [MemberData(nameof(LoggingSettings))]
    public async Task CallbackToken_IsInNoLogLine_WhateverTheLoggingSettings(string key, string level, bool environment)
    {
        await using var relay = await RelayProcess.StartAsync(
            settings =>
            {
                settings["Logging:Console:FormatterName"] = "json";
                settings["Logging:Console:FormatterOptions:IncludeScopes"] = "true";
                if (!environment)
                {
                    settings[key] = level;
                }
            },
            environment ? new Dictionary<string, string> { [key] = level } : null);
        using var client = relay.CreateClient();
        string path = relay.CallbackPath;

        using (var accepted = await relay.PostCallbackAsync(CallbackForms.Success("logged")))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        foreach (string variant in (string[])[path + "/deeper", path.ToUpperInvariant(), path + "?q=1", path[..^4] + "beef",
            path.Replace("/callbacks/", "/callbacks%2F", StringComparison.Ordinal), "/other" + path, path + "%2Fmore"])
        {
            using var response = await client.PostAsync(variant, new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{variant}: {response.StatusCode}");
        }

        // A doubled slash, and a request target Kestrel itself refuses, with the token in it.
        foreach (var (target, status) in new[] { ("/" + path, "404"), (path + "\u0001", "404"), (path + " extra", "400") })
        {
            await using var raw = await RawTls.ConnectAsync(relay.PublicUri, relay.Certificate.Certificate);
            await raw.SendAsync($"POST {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 " + status, (await raw.ReadToCloseAsync(TimeSpan.FromSeconds(5))).Text, StringComparison.Ordinal);
        }

        using (var get = await client.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        }

        string log = relay.Log;
        Assert.True(log.Length > 2000, "too little was logged to prove anything:\n" + log);
        string[] leaks = [.. log.Split('\n').Where(line => line.Contains(RelayServer.Token[..^4], StringComparison.OrdinalIgnoreCase))];
        Assert.True(leaks.Length == 0, "the token is in the log:\n" + string.Join('\n', leaks));
    }

    private static TimeSpan EdgeRefusalsInterval => Edge.EdgeRefusals.Interval;

    private static HttpRequestMessage Callback(string path, string requestId, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(CallbackForms.Success(requestId), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    private static async Task StartTlsAsync(Socket socket, System.Security.Cryptography.X509Certificates.X509Certificate2 trusted)
    {
        try
        {
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
                {
                    TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trusted },
                },
            });
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or SocketException)
        {
            // Expected: the connection is closed before any handshake.
        }
    }

    private static async Task<bool> ClosedByServerAsync(Socket socket)
    {
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
