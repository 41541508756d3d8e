using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Xml;
using Relay.Core.Reconciliation;
using Relay.MarketingCloud;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>
/// One source's SOAP Retrieve of a call's ResultMessage, page after page, through its
/// <see cref="MarketingCloudApi"/> session. A 401 or a "Login Failed" fault fetches a new token once;
/// anything else that goes wrong is a <see cref="MarketingCloudException"/> of a kind, for the caller to
/// try again later.
/// </summary>
internal sealed class MarketingCloudAccount : IDisposable
{
    private const int MaxPages = 100;
    private static readonly MediaTypeHeaderValue TextXml = new("text/xml") { CharSet = "utf-8" };

    private readonly string _source;
    private readonly MarketingCloudApi _api;
    private readonly TimeProvider _time;
    private readonly ReconciliationMetrics _metrics;
    private readonly long _maxResponseCharacters;

    public MarketingCloudAccount(MarketingCloudApi api, TimeProvider time, ReconciliationMetrics metrics, long maxResponseCharacters)
    {
        _source = api.Source;
        _api = api;
        _time = time;
        _metrics = metrics;
        _maxResponseCharacters = maxResponseCharacters;
    }

    public string Source => _source;

    public void Dispose() => _api.Dispose();

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
        catch (MarketingCloudException ex)
        {
            _metrics.RetrieveFailed(_source, ex.Kind, _time.GetElapsedTime(started));
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(RelayTelemetry.Attributes.ErrorType, ex.Kind);
            throw;
        }
    }

    private async Task<ResultMessage?> RetrieveWithRenewalAsync(string requestId, CancellationToken cancellationToken)
    {
        var token = await _api.TokenAsync(renew: false, cancellationToken);
        try
        {
            return await RetrievePagesAsync(token, requestId, cancellationToken);
        }
        catch (MarketingCloudException ex) when (ex.Kind is MarketingCloudException.Unauthorized or MarketingCloudException.LoginFailed)
        {
            _api.TokenRefused(ex.Kind);
            token = await _api.TokenAsync(renew: true, cancellationToken, refused: token);
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
                throw new MarketingCloudException(answer.IsLoginFailed ? MarketingCloudException.LoginFailed : MarketingCloudException.Fault,
                    $"the retrieve was answered with a SOAP fault: {Cut(fault)}");
            }

            if (!answer.IsOk)
            {
                throw new MarketingCloudException(answer.IsLoginFailed ? MarketingCloudException.LoginFailed : MarketingCloudException.StatusError,
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
                throw new MarketingCloudException(MarketingCloudException.Malformed, "MoreDataAvailable without the RequestID to continue from");
            }

            request = RetrieveSoap.Continue(token.Value, continueId);
        }

        throw new MarketingCloudException(MarketingCloudException.Malformed, $"still MoreDataAvailable after {MaxPages} pages");
    }

    private async Task<RetrieveResponse> PostSoapAsync(Uri endpoint, byte[] request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(request) };
        message.Content.Headers.ContentType = TextXml;
        message.Headers.Add("SOAPAction", "Retrieve");
        return await _api.ExchangeAsync(message, ReadSoapAnswerAsync, cancellationToken);
    }

    private async Task<RetrieveResponse> ReadSoapAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new MarketingCloudException(MarketingCloudException.Unauthorized, "the SOAP API answered 401");
        }

        // SOAP 1.1 answers a fault with 500 and the fault in the body.
        bool xml = response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("xml", StringComparison.OrdinalIgnoreCase);
        if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.InternalServerError && xml))
        {
            throw MarketingCloudApi.HttpFailure("the SOAP API", response.StatusCode);
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return RetrieveSoap.ReadResponse(body, _maxResponseCharacters);
        }
        catch (XmlException ex)
        {
            throw new MarketingCloudException(MarketingCloudException.Malformed, $"the SOAP answer cannot be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new MarketingCloudException(MarketingCloudException.Network, $"the SOAP answer was cut: {ex.Message}", ex);
        }
    }

    private static string Cut(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
