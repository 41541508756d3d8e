using Relay.Core.Ens;

namespace Relay.Callbacks;

/// <summary>
/// <c>Relay:Callbacks:Sources:&lt;name&gt;:Ens</c>: the source's Event Notification Service callback. A source
/// has ENS when it has signature keys; otherwise its ENS URL is 404 like any unknown path.
/// </summary>
internal sealed class EnsSourceOptions
{
    /// <summary>
    /// The callback's signature keys, as <c>ens-callbacks</c> returned them. Several at once, so that a
    /// regenerated key can be added before the old one goes. Never logged.
    /// </summary>
    public List<string> SignatureKeys { get; set; } = [];

    /// <summary>How a key becomes the HMAC's key bytes: its UTF-8 bytes (default) or its base64 decoding.</summary>
    public EnsKeyEncoding SignatureKeyEncoding { get; set; } = EnsKeyEncoding.Utf8;

    public bool IsConfigured => SignatureKeys.Count > 0;
}
