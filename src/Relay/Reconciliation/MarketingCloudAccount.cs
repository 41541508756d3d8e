using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml;
using Relay.Core.Reconciliation;
using Relay.MarketingCloud;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>
/// One source's Marketing Cloud API: its access token, fetched with the client credentials and reused
/// until shortly before it expires, and the SOAP Retrieve of a call's ResultMessage, page after page. A
/// 401 or a "Login Failed" fault fetches a new token once; anything else that goes wrong is a
/// <see cref="RetrieveFailedException"/> of a kind, for the caller to try again later. The secret and the
/// token appear in no log line, span or exception.
/// </summary>
internal sealed partial class MarketingCloudAccount : IDisposable
{
    private const int MaxPages = 100;
    private const int MaxTokenAnswerBytes = 64 * 1024;
    private static readonly MediaTypeHeaderValue TextXml = new("text/xml") { CharSet = "utf-8" };

    private readonly string _source;
    private readonly MarketingCloudCredentials _credentials;
    private readonly Uri _tokenEndpoint;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ReconciliationMetrics _metrics;
    private readonly long _maxResponseCharacters;
    private readonly TimeSpan _requestTimeout;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile AccessToken? _token;

    public MarketingCloudAccount(string source, MarketingCloudCredentials credentials, HttpClient http, TimeProvider time,
        ReconciliationMetrics metrics, long maxResponseCharacters, TimeSpan requestTimeout, ILogger logger)
    {
        _requestTimeout = requestTimeout;
        _source = source;
        _credentials = credentials;
        string authBase = credentials.AuthBaseUri.EndsWith('/') ? credentials.AuthBaseUri : credentials.AuthBaseUri + "/";
        _tokenEndpoint = new Uri(new Uri(authBase), "v2/token");
        _http = http;
        _time = time;
        _metrics = metrics;
        _maxResponseCharacters = maxResponseCharacters;
        _logger = logger;
    }

    public string Source => _source;

    public void Dispose() => _renewal.Dispose();

    /// <summary>The call's final ResultMessage, or null while Marketing Cloud has none.</summary>
    public async Task<ResultMessage?> RetrieveAsync(string requestId, CancellationToken cancellationToken)
    {
        using var activity = RelayTelemetry.ActivitySource.StartActivity("marketing-cloud retrieve ResultMessage", ActivityKind.Client);
        activity?.SetTag(RelayTelemetry.Attributes.Source, _source);
        activity?.SetTag(RelayTelemetry.Attributes.RequestId, RelayTelemetry.Capped(requestId));
        long started = _time.GetTimestamp();
        try
        {
            var result = await RetrieveWithRenewalAsync(requestId, cancellationToken);
            _metrics.Retrieved(_source, result is null ? ReconciliationMetrics.NotFinal : ReconciliationMetrics.Final, _time.GetElapsedTime(started));
            activity?.SetTag(RelayTelemetry.Attributes.ReconciliationOutcome, result is null ? ReconciliationMetrics.NotFinal : ReconciliationMetrics.Final);
            return result;
        }
        catch (RetrieveFailedException ex)
        {
            _metrics.RetrieveFailed(_source, ex.Kind, _time.GetElapsedTime(started));
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(RelayTelemetry.Attributes.ErrorType, ex.Kind);
            throw;
        }
    }

    private async Task<ResultMessage?> RetrieveWithRenewalAsync(string requestId, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(renew: false, cancellationToken);
        try
        {
            return await RetrievePagesAsync(token, requestId, cancellationToken);
        }
        catch (RetrieveFailedException ex) when (ex.Kind is RetrieveFailedException.Unauthorized or RetrieveFailedException.LoginFailed)
        {
            Log.TokenRefused(_logger, _source, ex.Kind);
            token = await TokenAsync(renew: true, cancellationToken, refused: token);
            return await RetrievePagesAsync(token, requestId, cancellationToken);
        }
    }

    private async Task<ResultMessage?> RetrievePagesAsync(AccessToken token, string requestId, CancellationToken cancellationToken)
    {
        byte[] request = RetrieveSoap.Retrieve(token.Value, requestId);
        for (int page = 1; page <= MaxPages; page++)
        {
            var answer = await PostSoapAsync(token.SoapEndpoint, request, cancellationToken);
            if (answer.Fault is { } fault)
            {
                throw new RetrieveFailedException(answer.IsLoginFailed ? RetrieveFailedException.LoginFailed : RetrieveFailedException.Fault,
                    $"the retrieve was answered with a SOAP fault: {Cut(fault)}");
            }

            if (!answer.IsOk)
            {
                throw new RetrieveFailedException(answer.IsLoginFailed ? RetrieveFailedException.LoginFailed : RetrieveFailedException.StatusError,
                    $"the retrieve was answered with OverallStatus '{Cut(answer.OverallStatus!)}'");
            }

            var final = answer.Results.FirstOrDefault(result => result.IsFinal
                && string.Equals(result.Fields.RequestId, requestId, StringComparison.OrdinalIgnoreCase));
            if (final is not null)
            {
                return final;
            }

            if (!answer.HasMore)
            {
                return null;
            }

            if (answer.RequestId is not { } continueId)
            {
                throw new RetrieveFailedException(RetrieveFailedException.Malformed, "MoreDataAvailable without the RequestID to continue from");
            }

            request = RetrieveSoap.Continue(token.Value, continueId);
        }

        throw new RetrieveFailedException(RetrieveFailedException.Malformed, $"still MoreDataAvailable after {MaxPages} pages");
    }

    private async Task<RetrieveResponse> PostSoapAsync(Uri endpoint, byte[] request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(request) };
        message.Content.Headers.ContentType = TextXml;
        message.Headers.Add("SOAPAction", "Retrieve");
        return await ExchangeAsync(message, ReadSoapAnswerAsync, cancellationToken);
    }

    private async Task<RetrieveResponse> ReadSoapAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Unauthorized, "the SOAP API answered 401");
        }

        // SOAP 1.1 answers a fault with 500 and the fault in the body.
        bool xml = response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("xml", StringComparison.OrdinalIgnoreCase);
        if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.InternalServerError && xml))
        {
            throw HttpFailure("the SOAP API", response.StatusCode);
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return RetrieveSoap.ReadResponse(body, _maxResponseCharacters);
        }
        catch (XmlException ex)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Malformed, $"the SOAP answer cannot be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Network, $"the SOAP answer was cut: {ex.Message}", ex);
        }
    }

    private async Task<AccessToken> TokenAsync(bool renew, CancellationToken cancellationToken, AccessToken? refused = null)
    {
        var token = _token;
        if (!renew && token is not null && _time.GetUtcNow() < token.RenewAt)
        {
            return token;
        }

        await _renewal.WaitAsync(cancellationToken);
        try
        {
            // Another retrieve may have renewed it while this one waited.
            token = _token;
            if (token is not null && token != refused && _time.GetUtcNow() < token.RenewAt)
            {
                return token;
            }

            _token = null;
            var fresh = await FetchTokenAsync(cancellationToken);
            _token = fresh;
            return fresh;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private async Task<AccessToken> FetchTokenAsync(CancellationToken cancellationToken)
    {
        using var activity = RelayTelemetry.ActivitySource.StartActivity("marketing-cloud token", ActivityKind.Client);
        activity?.SetTag(RelayTelemetry.Attributes.Source, _source);
        activity?.SetTag(RelayTelemetry.Attributes.ServerAddress, _tokenEndpoint.Host);
        using var message = new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint) { Content = new ByteArrayContent(TokenRequest()) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var issuedAt = _time.GetUtcNow();
        try
        {
            var token = ReadToken(await ExchangeAsync(message, ReadTokenAnswerAsync, cancellationToken), issuedAt);
            _metrics.TokenFetched(_source);
            Log.TokenFetched(_logger, _source, token.SoapEndpoint.Host, token.RenewAt);
            return token;
        }
        catch (RetrieveFailedException failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity?.SetTag(RelayTelemetry.Attributes.ErrorType, failure.Kind);
            Log.TokenFailed(_logger, _source, failure.Message);
            throw;
        }
    }

    private byte[] TokenRequest()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("grant_type", "client_credentials");
            writer.WriteString("client_id", _credentials.ClientId);
            writer.WriteString("client_secret", _credentials.ClientSecret);
            if (_credentials.AccountId.Length > 0)
            {
                writer.WriteString("account_id", _credentials.AccountId);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The token endpoint's answer, a few hundred bytes; one past <see cref="MaxTokenAnswerBytes"/> is not read on.</summary>
    private static async Task<byte[]> ReadTokenAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden
                ? new RetrieveFailedException(RetrieveFailedException.Unauthorized,
                    $"the token endpoint refused the client credentials ({(int)response.StatusCode})")
                : HttpFailure("the token endpoint", response.StatusCode);
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = new MemoryStream();
            byte[] chunk = new byte[4096];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (json.Length + read > MaxTokenAnswerBytes)
                {
                    throw new RetrieveFailedException(RetrieveFailedException.Malformed, $"the token answer is over {MaxTokenAnswerBytes} bytes");
                }

                json.Write(chunk, 0, read);
            }

            return json.ToArray();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Network, $"the token answer was cut: {ex.Message}", ex);
        }
    }

    private static AccessToken ReadToken(byte[] json, DateTimeOffset issuedAt)
    {
        string? accessToken = null, soapInstance = null;
        long expiresIn = 0;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                accessToken = root.TryGetProperty("access_token", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                soapInstance = root.TryGetProperty("soap_instance_url", out value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                expiresIn = root.TryGetProperty("expires_in", out value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) ? seconds : 0;
            }
        }
        catch (JsonException ex)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Malformed, "the token answer is not JSON", ex);
        }

        if (string.IsNullOrEmpty(accessToken) || expiresIn <= 0)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Malformed, "the token answer has no access_token or expires_in");
        }

        if (!Uri.TryCreate(soapInstance, UriKind.Absolute, out var soapBase) || !MarketingCloudCredentials.IsAllowed(soapBase))
        {
            throw new RetrieveFailedException(RetrieveFailedException.Malformed,
                "the token answer's soap_instance_url is not an https:// URI (http:// only to a loopback address)");
        }

        var endpoint = new Uri(new Uri(soapBase.AbsoluteUri.EndsWith('/') ? soapBase.AbsoluteUri : soapBase.AbsoluteUri + "/"), "Service.asmx");
        return new AccessToken(accessToken, endpoint, AccessToken.RenewalTime(issuedAt, TimeSpan.FromSeconds(Math.Min(expiresIn, 86_400))));
    }

    /// <summary>
    /// Sends a request and reads its answer within <c>Relay:Reconciliation:RequestTimeout</c> for the whole
    /// exchange, body included: an answer that trickles is a timeout like one that never comes, never a
    /// call that holds a retrieve slot (or the token renewal every retrieve of the source waits on) for
    /// minutes. A synchronous read of the body is not cancelled by a token, so the deadline also disposes
    /// the answer under it.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(HttpRequestMessage message, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await using var abort = deadline.Token.Register(static answer => ((HttpResponseMessage)answer!).Dispose(), response);
            return await read(response, deadline.Token);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Timeout,
                $"{message.RequestUri!.Host} did not answer within {_requestTimeout.TotalSeconds:0.###} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RetrieveFailedException(RetrieveFailedException.Network, $"cannot reach {message.RequestUri!.Host}: {ex.Message}", ex);
        }
    }

    private static RetrieveFailedException HttpFailure(string what, HttpStatusCode status) => new(
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests ? RetrieveFailedException.ServerError : RetrieveFailedException.Refused,
        $"{what} answered {(int)status}");

    private static string Cut(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private static partial class Log
    {
        [LoggerMessage(EventId = 9101, Level = LogLevel.Debug, Message = "Fetched a Marketing Cloud token for source {Source} (SOAP at {SoapHost}), renewed after {RenewAt:O}")]
        public static partial void TokenFetched(ILogger logger, string source, string soapHost, DateTimeOffset renewAt);

        [LoggerMessage(EventId = 9102, Level = LogLevel.Error, Message = "Cannot fetch a Marketing Cloud token for source {Source}: {Reason}")]
        public static partial void TokenFailed(ILogger logger, string source, string reason);

        [LoggerMessage(EventId = 9103, Level = LogLevel.Information, Message = "Marketing Cloud refused the token of source {Source} ({Kind}); fetching a new one")]
        public static partial void TokenRefused(ILogger logger, string source, string kind);
    }
}
