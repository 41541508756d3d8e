using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.Core.Ens;
using Relay.MarketingCloud;

namespace Relay.Ens;

/// <summary>
/// Completes a callback's creation for the operator: after Relay has answered ENS's verification post, it
/// sends the same body to <c>POST {rest_instance_url}platform/v1/ens-verify</c> with the source's
/// <c>MarketingCloud</c> credentials (those reconciliation uses), tried three times over about a minute,
/// and logs the outcome (the key never in full). A source without credentials is told how to verify by
/// hand. Verifications wait in a small bounded queue: a flood of them (which only a holder of the URL's
/// token can send) costs a few calls, not unbounded work.
/// </summary>
internal sealed partial class EnsVerifier : BackgroundService
{
    public const string VerifyPath = "platform/v1/ens-verify";
    private const int QueueCapacity = 16;
    private static readonly TimeSpan[] Attempts = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)];

    private readonly Channel<(CallbackSource Source, EnsVerification Verification)> _queue =
        Channel.CreateBounded<(CallbackSource, EnsVerification)>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly HttpClient _http;
    private readonly Dictionary<string, MarketingCloudApi> _apis;
    private readonly EnsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<EnsVerifier> _logger;

    public EnsVerifier(IOptions<CallbackOptions> callbacks, IOptions<EnsOptions> options, EnsMetrics metrics, TimeProvider time,
        ILogger<EnsVerifier> logger, ILogger<MarketingCloudApi> apiLogger)
    {
        _http = MarketingCloudApi.CreateHttpClient();
        _apis = callbacks.Value.Sources
            .Where(source => source.Value.MarketingCloud.IsConfigured)
            .ToDictionary(source => source.Key,
                source => new MarketingCloudApi(source.Key, source.Value.MarketingCloud, _http, time, options.Value.RequestTimeout, apiLogger),
                StringComparer.OrdinalIgnoreCase);
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public void Enqueue(CallbackSource source, EnsVerification verification)
    {
        if (!_apis.ContainsKey(source.Name))
        {
            _metrics.Verification(EnsOutcomes.NoCredentials);
            Log.NoCredentials(_logger, source.Name, verification.CallbackId);
            return;
        }

        if (!_queue.Writer.TryWrite((source, verification)))
        {
            _metrics.Verification(EnsOutcomes.Dropped);
            Log.Dropped(_logger, source.Name, verification.CallbackId, QueueCapacity);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (source, verification) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await VerifyAsync(_apis[source.Name], verification, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, also when the host failed to start: the host reports only real failures of a service.
        }
    }

    private async Task VerifyAsync(MarketingCloudApi api, EnsVerification verification, CancellationToken stoppingToken)
    {
        string problem = "not tried";
        for (int attempt = 0; attempt < Attempts.Length; attempt++)
        {
            // ENS records the answer to its post first: the first call waits a moment, later ones longer.
            await Task.Delay(Attempts[attempt], _time, stoppingToken);
            try
            {
                var answer = await api.RestAsync(HttpMethod.Post, VerifyPath, verification.Raw.ToArray(), stoppingToken);
                if (answer.IsSuccess)
                {
                    _metrics.Verification(EnsOutcomes.Verified);
                    Log.Verified(_logger, api.Source, verification.CallbackId, verification.RedactedKey);
                    return;
                }

                problem = $"{(int)answer.Status}: {answer.Message()}";
                if (answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    break;
                }
            }
            catch (MarketingCloudException ex)
            {
                problem = $"{ex.Kind}: {ex.Message}";
            }

            Log.AttemptFailed(_logger, api.Source, verification.CallbackId, attempt + 1, problem);
        }

        _metrics.Verification(EnsOutcomes.VerifyFailed);
        Log.Failed(_logger, api.Source, verification.CallbackId, verification.RedactedKey, problem);
    }

    public override void Dispose()
    {
        foreach (var api in _apis.Values)
        {
            api.Dispose();
        }

        _http.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "ENS callback {CallbackId} of source {Source} verified (key {Key})")]
        public static partial void Verified(ILogger logger, string source, string callbackId, string key);

        [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "Verifying ENS callback {CallbackId} of source {Source} failed (attempt {Attempt}): {Problem}")]
        public static partial void AttemptFailed(ILogger logger, string source, string callbackId, int attempt, string problem);

        [LoggerMessage(EventId = 6203, Level = LogLevel.Error, Message = "ENS callback {CallbackId} of source {Source} is not verified (key {Key}): {Problem}. Verify it with the ens.verification event's data: POST it to /platform/v1/ens-verify")]
        public static partial void Failed(ILogger logger, string source, string callbackId, string key, string problem);

        [LoggerMessage(EventId = 6204, Level = LogLevel.Warning, Message = "ENS callback {CallbackId} of source {Source} must be verified by hand: the source has no MarketingCloud credentials. POST the ens.verification event's data to /platform/v1/ens-verify")]
        public static partial void NoCredentials(ILogger logger, string source, string callbackId);

        [LoggerMessage(EventId = 6205, Level = LogLevel.Warning, Message = "ENS verification of callback {CallbackId} for source {Source} was not sent to ens-verify: {Capacity} are already waiting. It is on the exchange as ens.verification")]
        public static partial void Dropped(ILogger logger, string source, string callbackId, int capacity);
    }
}
