using Relay.MarketingCloud;

namespace Relay.Callbacks;

/// <summary><c>Relay:Callbacks:Sources:&lt;name&gt;</c>: one Marketing Cloud account (or business unit) posting callbacks.</summary>
internal sealed class CallbackSourceOptions
{
    /// <summary>
    /// The secret last path segments this source's callback URLs may carry. Several at once let a token be
    /// rotated without downtime: add the new one, switch Marketing Cloud to it, remove the old one.
    /// </summary>
    public List<string> Tokens { get; set; } = [];

    /// <summary>The API credentials reconciliation retrieves this source's ResultMessages with; none by default.</summary>
    public MarketingCloudCredentials MarketingCloud { get; set; } = new();

    /// <summary>The source's ENS callback (its signature keys); none by default.</summary>
    public EnsSourceOptions Ens { get; set; } = new();
}
