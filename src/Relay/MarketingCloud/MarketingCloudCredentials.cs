using Relay.Core.MarketingCloud;

namespace Relay.MarketingCloud;

/// <summary>
/// <c>Relay:Callbacks:Sources:&lt;name&gt;:MarketingCloud</c>: the installed package's API integration that
/// Relay retrieves this source's ResultMessages with (server-to-server, client credentials).
/// </summary>
internal sealed class MarketingCloudCredentials
{
    /// <summary>The tenant's authentication base URI, <c>https://&lt;subdomain&gt;.auth.marketingcloudapis.com/</c>.</summary>
    public string AuthBaseUri { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    /// <summary>Never logged, exported or shown in an error.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The MID of the business unit to act in; the package's default when empty.</summary>
    public string AccountId { get; set; } = string.Empty;

    public bool IsConfigured => AuthBaseUri.Length > 0 || ClientId.Length > 0 || ClientSecret.Length > 0;

    /// <summary>HTTPS, or plain HTTP to a loopback address only (a stand-in in tests).</summary>
    public static bool IsAllowed(Uri uri) => TokenAnswer.IsAllowed(uri);
}
