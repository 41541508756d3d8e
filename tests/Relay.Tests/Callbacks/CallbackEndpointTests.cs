using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using Relay.Infrastructure;

namespace Relay.Callbacks;

public sealed partial class CallbackEndpointTests : IAsyncLifetime
{
    private RelayServer _relay = null!;
    private EventQueue _queue = null!;

    public async Task InitializeAsync()
    {
        _relay = await RelayServer.StartAsync(settings => settings["Relay:Callbacks:MaxBodyBytes"] = "4096");
        _queue = await EventQueue.BindAsync(_relay.Exchange);
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task Post_WellFormedCallback_ArrivesAsTheDocumentedEvent()
    {
        var before = DateTimeOffset.UtcNow;

        using var response = await _relay.PostCallbackAsync(CallbackForms.WithErrors());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await _queue.ReceiveAsync();
        Assert.Equal("callback.has-errors", message.RoutingKey);
        Assert.Equal("application/cloudevents+json", message.ContentType);
        Assert.Equal(DeliveryModes.Persistent, message.DeliveryMode);
        Assert.InRange(message.Timestamp, before.ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Matches(TraceParent(), message.Headers["traceparent"]);

        using var json = message.Json();
        var root = json.RootElement;
        Assert.Equal(message.MessageId, root.GetProperty("id").GetString());
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("com.salesforce.marketingcloud.async.callback", root.GetProperty("type").GetString());
        Assert.Equal(RelayServer.EventSource, root.GetProperty("source").GetString());
        Assert.Equal("b7f3c1de-8a20-4f7e-9f1e-0c9d8e6a2b44", root.GetProperty("subject").GetString());
        Assert.Equal(TraceId(message.Headers["traceparent"]), TraceId(root.GetProperty("traceparent").GetString()!));

        var data = root.GetProperty("data");
        Assert.Equal("2f1c9a7e-55b0-4d3b-8c61-7a0e4b9d3c22", data.GetProperty("conversationId").GetString());
        Assert.Equal(12000, data.GetProperty("errorCode").GetInt64());
        Assert.Equal(1, data.GetProperty("sequenceCode").GetInt64());
        var result = Assert.Single(data.GetProperty("results").EnumerateArray());
        Assert.Equal("CreateResult", result.GetProperty("@type").GetString());
        Assert.Equal("Subscriber", result.GetProperty("Object").GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Post_SameCallbackTwice_CarriesTheSameMessageId()
    {
        using var first = await _relay.PostCallbackAsync(CallbackForms.Success("same-id"));
        using var second = await _relay.PostCallbackAsync(CallbackForms.Success("same-id"));

        Assert.Equal((await _queue.ReceiveAsync()).MessageId, (await _queue.ReceiveAsync()).MessageId);
    }

    [Fact]
    public async Task Post_FormWithoutRequestId_IsAcceptedAndPublishedAsInvalidWithItsRawBody()
    {
        const string form = "OverallStatusCode=OK&StatusCode=OK";

        using var response = await _relay.PostCallbackAsync(form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await _queue.ReceiveAsync();
        Assert.Equal("callback.invalid", message.RoutingKey);
        using var json = message.Json();
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(form, data.GetProperty("rawBody").GetString());
        Assert.Equal("the form has no RequestID", data.GetProperty("invalidReason").GetString());
    }

    [Fact]
    public async Task Post_ContentTypeWithCharset_IsAccepted()
    {
        using var client = _relay.CreateClient();
        var content = new StringContent(CallbackForms.Success(), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("Application/X-WWW-Form-Urlencoded; charset=utf-8");

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("callback.ok", (await _queue.ReceiveAsync()).RoutingKey);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Request_OtherMethod_Is405AndPublishesNothing(string method)
    {
        using var client = _relay.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), _relay.CallbackPath);
        if (method != "GET" && method != "DELETE")
        {
            request.Content = new StringContent(CallbackForms.Success(), Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        await _queue.AssertEmptyAsync();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Post_OtherContentType_Is415AndPublishesNothing(string? contentType)
    {
        using var client = _relay.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(CallbackForms.Success()));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await _queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task Post_DeclaredLengthOverTheLimit_Is413AndPublishesNothing()
    {
        using var client = _relay.CreateClient();
        var content = new StringContent(CallbackForms.Success() + "&pad=" + new string('x', 5000), Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await _queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_Is413AndPublishesNothing()
    {
        using var client = _relay.CreateClient();
        var body = Encoding.UTF8.GetBytes(CallbackForms.Success() + "&pad=" + new string('x', 5000));
        var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await _queue.AssertEmptyAsync();
    }

    [Fact]
    public async Task Post_ChunkedBodyUnderTheLimit_IsAccepted()
    {
        using var client = _relay.CreateClient();
        var content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(CallbackForms.Success())));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await client.PostAsync(_relay.CallbackPath, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("callback.ok", (await _queue.ReceiveAsync()).RoutingKey);
    }

    private static string TraceId(string traceParent) => traceParent.Split('-')[1];

    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")]
    private static partial Regex TraceParent();

    /// <summary>A stream that hides its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
