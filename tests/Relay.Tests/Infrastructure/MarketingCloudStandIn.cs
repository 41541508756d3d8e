using System.Collections.Concurrent;
using System.Net;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Relay.Infrastructure;

/// <summary>
/// A stand-in of Marketing Cloud's token endpoint and SOAP API, on Kestrel over loopback HTTP: it checks
/// the client credentials and the <c>fueloauth</c> header, hands out tokens that expire, serves the
/// ResultMessages it is given (paged with MoreDataAvailable / ContinueRequest), and fails when told to.
/// </summary>
internal sealed partial class MarketingCloudStandIn : IAsyncDisposable
{
    public const string ClientId = "relay-test-client";
    public const string ClientSecret = "relay-test-secret-5b0e1c7d9f";
    public const string AccountId = "514009876";

    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    private static readonly XNamespace Partner = "http://exacttarget.com/wsdl/partnerAPI";
    private static readonly XNamespace Fuel = "http://exacttarget.com";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new();
    private readonly ConcurrentDictionary<string, List<Dictionary<string, string?>>> _results = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _retrieves = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string RequestId, int Page)> _continuations = new();
    private readonly ConcurrentQueue<Failure> _failures = new();
    private readonly ConcurrentBag<string> _issued = [];
    private int _tokenCalls;
    private int _soapCalls;

    private MarketingCloudStandIn(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>What the next SOAP call gets instead of its answer.</summary>
    public enum Failure
    {
        ServiceUnavailable,
        Fault,
        LoginFailed,
        Unauthorized,
        Slow,

        /// <summary>The headers at once, then the answer one byte a second, for a minute.</summary>
        Trickle,
    }

    public Uri BaseUri { get; }

    /// <summary>The lifetime of the tokens handed out from now on, in seconds.</summary>
    public int TokenLifetimeSeconds { get; set; } = 1080;

    /// <summary>Characters of an extra field in each token answer, to make it as large as a test needs.</summary>
    public int TokenAnswerPadding { get; set; }

    /// <summary>Token answers to send a byte a second (headers at once), before answering normally again.</summary>
    public int TricklingTokenAnswers { get; set; }

    /// <summary>ResultMessages per page; more makes MoreDataAvailable.</summary>
    public int PageSize { get; set; } = 2500;

    public int TokenCalls => Volatile.Read(ref _tokenCalls);

    /// <summary>Every access token handed out, to look for in what Relay logged.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _issued];

    public int SoapCalls => Volatile.Read(ref _soapCalls);

    /// <summary>How long each SOAP call takes.</summary>
    public TimeSpan SoapDelay { get; set; }

    public int RetrievesOf(string requestId) => _retrieves.GetValueOrDefault(requestId);

    public int TotalRetrieves => _retrieves.Values.Sum();

    /// <summary>The settings of a Relay source that uses this stand-in.</summary>
    public void Configure(Dictionary<string, string?> settings, string source = "test")
    {
        string prefix = $"Relay:Callbacks:Sources:{source}:MarketingCloud:";
        settings[prefix + "AuthBaseUri"] = BaseUri.AbsoluteUri;
        settings[prefix + "ClientId"] = ClientId;
        settings[prefix + "ClientSecret"] = ClientSecret;
        settings[prefix + "AccountId"] = AccountId;
    }

    /// <summary>Marketing Cloud now holds this ResultMessage (fields by their SOAP names).</summary>
    public void AddResult(string requestId, string status = "OK", string? resultDetailXml = null, string? conversationId = null,
        string? statusMessage = null, string? errorCode = null)
    {
        var fields = new Dictionary<string, string?>
        {
            ["RequestID"] = requestId,
            ["ConversationID"] = conversationId,
            ["OverallStatusCode"] = status,
            ["StatusCode"] = status,
            ["StatusMessage"] = statusMessage,
            ["ErrorCode"] = errorCode,
            ["RequestType"] = "Asynchronous",
            ["ResultType"] = "Asynchronous",
            ["ResultDetailXML"] = resultDetailXml,
            ["SequenceCode"] = null,
            ["CallsInConversation"] = null,
        };
        _results.AddOrUpdate(requestId, _ => [fields], (_, list) => { lock (list) { list.Add(fields); } return list; });
    }

    /// <summary>Other results the filter also matches, before the real one (as a conversation's may), to make pages.</summary>
    public void AddUnrelated(string requestId, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var fields = new Dictionary<string, string?> { ["RequestID"] = Guid.NewGuid().ToString(), ["OverallStatusCode"] = "OK", ["StatusCode"] = "OK" };
            _results.AddOrUpdate(requestId, _ => [fields], (_, list) => { lock (list) { list.Insert(0, fields); } return list; });
        }
    }

    public void FailNext(params Failure[] failures)
    {
        foreach (var failure in failures)
        {
            _failures.Enqueue(failure);
        }
    }

    /// <summary>Makes every token handed out so far invalid, as Marketing Cloud's expiry would.</summary>
    public void ExpireTokens() => _tokens.Clear();

    public static async Task<MarketingCloudStandIn> StartAsync()
    {
        int port = FreePort.Next();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(baseUri.AbsoluteUri);
        var app = builder.Build();
        var standIn = new MarketingCloudStandIn(app, baseUri);
        app.MapPost("/v2/token", standIn.TokenAsync);
        app.MapPost("/soap/Service.asmx", standIn.SoapAsync);
        standIn.MapEns(app);
        await app.StartAsync();
        return standIn;
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenCalls);
        using var json = await JsonDocument.ParseAsync(context.Request.Body);
        var root = json.RootElement;
        if (root.GetProperty("grant_type").GetString() != "client_credentials"
            || root.GetProperty("client_id").GetString() != ClientId
            || root.GetProperty("client_secret").GetString() != ClientSecret
            || root.GetProperty("account_id").GetString() != AccountId)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("""{"error":"invalid_client","error_description":"Client authentication failed."}""");
            return;
        }

        if (TricklingTokenAnswers > 0)
        {
            TricklingTokenAnswers--;
            await TrickleAsync(context, "application/json");
            return;
        }

        string token = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        _tokens[token] = DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds);
        _issued.Add(token);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = TokenLifetimeSeconds,
            ["scope"] = "data_extensions_read",
            ["soap_instance_url"] = BaseUri.AbsoluteUri + "soap/",
            ["rest_instance_url"] = BaseUri.AbsoluteUri + "rest/",
            ["padding"] = new string('x', TokenAnswerPadding),
        }));
    }

    private async Task SoapAsync(HttpContext context)
    {
        Interlocked.Increment(ref _soapCalls);
        if (SoapDelay > TimeSpan.Zero)
        {
            await Task.Delay(SoapDelay, context.RequestAborted);
        }

        if (_failures.TryDequeue(out var failure))
        {
            switch (failure)
            {
                case Failure.ServiceUnavailable:
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                case Failure.Unauthorized:
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                case Failure.Fault:
                    await FaultAsync(context, "Server was unable to process request. ---> Timeout expired.");
                    return;
                case Failure.LoginFailed:
                    await FaultAsync(context, "Login Failed");
                    return;
                case Failure.Slow:
                    await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                    return;
                case Failure.Trickle:
                    await TrickleAsync(context, "text/xml; charset=utf-8");
                    return;
            }
        }

        var envelope = await XDocument.LoadAsync(context.Request.Body, LoadOptions.None, context.RequestAborted);
        if (context.Request.Headers["SOAPAction"] != "Retrieve")
        {
            await FaultAsync(context, "SOAPAction must be Retrieve");
            return;
        }

        string? token = envelope.Root?.Element(Soap + "Header")?.Element(Fuel + "fueloauth")?.Value;
        if (token is null || !_tokens.TryGetValue(token, out var expires) || expires < DateTimeOffset.UtcNow)
        {
            await FaultAsync(context, "Login Failed");
            return;
        }

        var request = envelope.Root!.Element(Soap + "Body")!.Element(Partner + "RetrieveRequestMsg")!.Element(Partner + "RetrieveRequest")!;
        string requestId;
        int page;
        if (request.Element(Partner + "ContinueRequest") is { } continuation)
        {
            (requestId, page) = _continuations[continuation.Value];
        }
        else
        {
            var filter = request.Element(Partner + "Filter")!;
            if (request.Element(Partner + "ObjectType")?.Value != "ResultMessage"
                || filter.Element(Partner + "Property")?.Value != "RequestID"
                || filter.Element(Partner + "SimpleOperator")?.Value != "equals"
                || !request.Elements(Partner + "Properties").Any(property => property.Value == "ResultDetailXML"))
            {
                await FaultAsync(context, "Unexpected RetrieveRequest");
                return;
            }

            requestId = filter.Element(Partner + "Value")!.Value;
            page = 0;
            _retrieves.AddOrUpdate(requestId, 1, (_, count) => count + 1);
        }

        List<Dictionary<string, string?>> all;
        var stored = _results.GetValueOrDefault(requestId);
        if (stored is null)
        {
            all = [];
        }
        else
        {
            lock (stored)
            {
                all = [.. stored];
            }
        }

        var results = all.Skip(page * PageSize).Take(PageSize).ToList();
        bool more = (page + 1) * PageSize < all.Count;
        string thisRequest = Guid.NewGuid().ToString();
        if (more)
        {
            _continuations[thisRequest] = (requestId, page + 1);
        }

        var body = new StringBuilder();
        body.Append("""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">""");
        body.Append("<OverallStatus>").Append(more ? "MoreDataAvailable" : "OK").Append("</OverallStatus>");
        body.Append("<RequestID>").Append(thisRequest).Append("</RequestID>");
        foreach (var result in results)
        {
            body.Append("""<Results xsi:type="ResultMessage"><Client><ID>514009876</ID></Client><PartnerKey xsi:nil="true" /><ObjectID xsi:nil="true" />""");
            foreach (var (name, value) in result)
            {
                body.Append('<').Append(name).Append(value is null ? " xsi:nil=\"true\" />" : ">");
                if (value is not null)
                {
                    body.Append(SecurityElement.Escape(value)).Append("</").Append(name).Append('>');
                }
            }

            body.Append("</Results>");
        }

        body.Append("</RetrieveResponseMsg></soap:Body></soap:Envelope>");
        context.Response.ContentType = "text/xml; charset=utf-8";
        await context.Response.WriteAsync(body.ToString());
    }

    /// <summary>A remote that answers at once and then trickles: a byte a second, until the client gives up (a minute at most).</summary>
    private static async Task TrickleAsync(HttpContext context, string contentType)
    {
        context.Response.ContentType = contentType;
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            for (int i = 0; i < 60; i++)
            {
                await context.Response.Body.WriteAsync("<"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(TimeSpan.FromSeconds(1), context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client hung up, as it should have long before the minute.
        }
    }

    private static async Task FaultAsync(HttpContext context, string faultString)
    {
        context.Response.StatusCode = (int)HttpStatusCode.InternalServerError;
        context.Response.ContentType = "text/xml; charset=utf-8";
        await context.Response.WriteAsync($"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>{SecurityElement.Escape(faultString)}</faultstring></soap:Fault></soap:Body></soap:Envelope>""");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
