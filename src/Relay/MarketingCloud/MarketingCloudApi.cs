using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Relay.Core.MarketingCloud;
using Relay.Telemetry;

namespace Relay.MarketingCloud;

/// <summary>
/// One source's Marketing Cloud API session: its access token, fetched with the client credentials and
/// reused until shortly before it expires, and exchanges with the tenant's endpoints, each within a
/// deadline for the whole exchange. Reconciliation retrieves through it (SOAP), ENS verifies callbacks and
/// <c>Relay ens</c> manages them through it (REST). The secret and the token appear in no log line, span
/// or exception.
/// </summary>
internal sealed partial class MarketingCloudApi : IDisposable
{
    private const int MaxTokenAnswerBytes = 64 * 1024;
    private const int MaxRestAnswerBytes = 1024 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly MarketingCloudCredentials _credentials;
    private readonly Uri _tokenEndpoint;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _requestTimeout;
    private readonly Action<string>? _tokenFetched;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile AccessToken? _token;

    /// <param name="requestTimeout">The deadline of each exchange, answer included.</param>
    /// <param name="tokenFetched">Told the source's name each time a token is fetched, for a metric.</param>
    public MarketingCloudApi(string source, MarketingCloudCredentials credentials, HttpClient http, TimeProvider time, TimeSpan requestTimeout,
        ILogger logger, Action<string>? tokenFetched = null)
    {
        Source = source;
        _credentials = credentials;
        string authBase = credentials.AuthBaseUri.EndsWith('/') ? credentials.AuthBaseUri : credentials.AuthBaseUri + "/";
        _tokenEndpoint = new Uri(new Uri(authBase), "v2/token");
        _http = http;
        _time = time;
        _requestTimeout = requestTimeout;
        _tokenFetched = tokenFetched;
        _logger = logger;
    }

    public string Source { get; }

    /// <summary>
    /// The HTTP client Marketing Cloud's APIs are called with: no redirects followed, a 10 s connect, and no
    /// overall timeout of its own (each exchange has its deadline, <see cref="ExchangeAsync"/>).
    /// </summary>
    public static HttpClient CreateHttpClient()
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Relay/1.0");
        return http;
    }

    public void Dispose() => _renewal.Dispose();

    /// <summary>The token to call with: the one held while it is fresh, a new one when asked to renew or when <paramref name="refused"/> was refused.</summary>
    public async Task<AccessToken> TokenAsync(bool renew, CancellationToken cancellationToken, AccessToken? refused = null)
    {
        var token = _token;
        if (!renew && token is not null && _time.GetUtcNow() < token.RenewAt)
        {
            return token;
        }

        await _renewal.WaitAsync(cancellationToken);
        try
        {
            // Another call may have renewed it while this one waited.
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

    /// <summary>
    /// A call to the tenant's REST API (<c>rest_instance_url</c> + <paramref name="path"/>) with a JSON body
    /// or none; a 401 fetches a new token once. Any status is returned with the answer's body (up to 1 MiB):
    /// what Marketing Cloud's message says is for the caller to show.
    /// </summary>
    public async Task<RestAnswer> RestAsync(HttpMethod method, string path, byte[]? json, CancellationToken cancellationToken)
    {
        using var activity = RelayTelemetry.ActivitySource.StartActivity($"marketing-cloud {method.Method} {path}", ActivityKind.Client);
        activity?.SetTag(RelayTelemetry.Attributes.Source, Source);
        var token = await TokenAsync(renew: false, cancellationToken);
        var answer = await SendRestAsync(token, method, path, json, cancellationToken);
        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            TokenRefused(MarketingCloudException.Unauthorized);
            token = await TokenAsync(renew: true, cancellationToken, refused: token);
            answer = await SendRestAsync(token, method, path, json, cancellationToken);
        }

        activity?.SetTag(RelayTelemetry.Attributes.HttpResponseStatusCode, (int)answer.Status);
        return answer;
    }

    private async Task<RestAnswer> SendRestAsync(AccessToken token, HttpMethod method, string path, byte[]? json, CancellationToken cancellationToken)
    {
        if (token.RestBase is not { } restBase)
        {
            throw new MarketingCloudException(MarketingCloudException.Malformed, "the token answer had no rest_instance_url");
        }

        using var message = new HttpRequestMessage(method, new Uri(restBase, path.TrimStart('/')));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        if (json is not null)
        {
            message.Content = new ByteArrayContent(json);
            message.Content.Headers.ContentType = Json;
        }

        return await ExchangeAsync(message, async (response, cancel) =>
            new RestAnswer(response.StatusCode, await ReadBoundedAsync(response, MaxRestAnswerBytes, "the REST answer", cancel)), cancellationToken);
    }

    private async Task<AccessToken> FetchTokenAsync(CancellationToken cancellationToken)
    {
        using var activity = RelayTelemetry.ActivitySource.StartActivity("marketing-cloud token", ActivityKind.Client);
        activity?.SetTag(RelayTelemetry.Attributes.Source, Source);
        activity?.SetTag(RelayTelemetry.Attributes.ServerAddress, _tokenEndpoint.Host);
        using var message = new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint) { Content = new ByteArrayContent(TokenRequest()) };
        message.Content.Headers.ContentType = Json;
        var issuedAt = _time.GetUtcNow();
        try
        {
            var token = ReadToken(await ExchangeAsync(message, ReadTokenAnswerAsync, cancellationToken), issuedAt);
            _tokenFetched?.Invoke(Source);
            Log.TokenFetched(_logger, Source, token.SoapEndpoint.Host, token.RenewAt);
            return token;
        }
        catch (MarketingCloudException failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity?.SetTag(RelayTelemetry.Attributes.ErrorType, failure.Kind);
            Log.TokenFailed(_logger, Source, failure.Message);
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
                ? new MarketingCloudException(MarketingCloudException.Unauthorized,
                    $"the token endpoint refused the client credentials ({(int)response.StatusCode})")
                : HttpFailure("the token endpoint", response.StatusCode);
        }

        return await ReadBoundedAsync(response, MaxTokenAnswerBytes, "the token answer", cancellationToken);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = new MemoryStream();
            byte[] chunk = new byte[4096];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (json.Length + read > maxBytes)
                {
                    throw new MarketingCloudException(MarketingCloudException.Malformed, $"{what} is over {maxBytes} bytes");
                }

                json.Write(chunk, 0, read);
            }

            return json.ToArray();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new MarketingCloudException(MarketingCloudException.Network, $"{what} was cut: {ex.Message}", ex);
        }
    }

    private static AccessToken ReadToken(byte[] json, DateTimeOffset issuedAt)
    {
        if (!TokenAnswer.TryRead(json, out var answer, out string? problem))
        {
            throw new MarketingCloudException(MarketingCloudException.Malformed, problem);
        }

        return new AccessToken(answer.AccessToken, new Uri(answer.SoapBase, "Service.asmx"), answer.RestBase,
            AccessToken.RenewalTime(issuedAt, answer.Lifetime));
    }

    /// <summary>
    /// Sends a request and reads its answer within the request timeout for the whole exchange, body
    /// included: an answer that trickles is a timeout like one that never comes, never a call that holds a
    /// slot (or the token renewal every call of the source waits on) for minutes. A synchronous read of the
    /// body is not cancelled by a token, so the deadline also disposes the answer under it.
    /// </summary>
    public async Task<T> ExchangeAsync<T>(HttpRequestMessage message, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
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
            throw new MarketingCloudException(MarketingCloudException.Timeout,
                $"{message.RequestUri!.Host} did not answer within {_requestTimeout.TotalSeconds:0.###} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MarketingCloudException(MarketingCloudException.Network, $"cannot reach {message.RequestUri!.Host}: {ex.Message}", ex);
        }
    }

    public static MarketingCloudException HttpFailure(string what, HttpStatusCode status) => new(
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests ? MarketingCloudException.ServerError : MarketingCloudException.Refused,
        $"{what} answered {(int)status}");

    /// <summary>Logs that a call's token was refused; it is renewed once.</summary>
    public void TokenRefused(string kind) => Log.TokenRefused(_logger, Source, kind);

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
