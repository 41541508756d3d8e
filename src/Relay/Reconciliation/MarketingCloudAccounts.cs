using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.MarketingCloud;

namespace Relay.Reconciliation;

/// <summary>The sources reconciliation can retrieve for: those with <c>MarketingCloud</c> credentials, sharing one HTTP client.</summary>
internal sealed class MarketingCloudAccounts : IDisposable
{
    private readonly HttpClient _http;
    private readonly Dictionary<string, MarketingCloudAccount> _accounts;

    public MarketingCloudAccounts(IOptions<CallbackOptions> callbacks, IOptions<ReconciliationOptions> options, TimeProvider time,
        ReconciliationMetrics metrics, ILogger<MarketingCloudAccount> logger)
    {
        _http = MarketingCloudApi.CreateHttpClient();

        // A ResultMessage is read up to twice the largest callback body Relay accepts.
        long maxCharacters = callbacks.Value.MaxBodyBytes * 2;
        _accounts = callbacks.Value.Sources
            .Where(source => source.Value.MarketingCloud.IsConfigured)
            .ToDictionary(source => source.Key,
                source => new MarketingCloudAccount(
                    new MarketingCloudApi(source.Key, source.Value.MarketingCloud, _http, time, options.Value.RequestTimeout, logger, metrics.TokenFetched),
                    time, metrics, maxCharacters),
                StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The names of the sources that have credentials.</summary>
    public IEnumerable<string> Sources => _accounts.Keys;

    public bool TryGet(string source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MarketingCloudAccount? account) =>
        _accounts.TryGetValue(source, out account);

    public void Dispose()
    {
        foreach (var account in _accounts.Values)
        {
            account.Dispose();
        }

        _http.Dispose();
    }
}
