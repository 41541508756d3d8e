namespace Relay.Callbacks;

/// <summary>
/// What a callback URL's token (taken off the path, which no longer carries it) said: the source it
/// belongs to, or null for a wrong or missing token.
/// </summary>
internal sealed class CallbackTokenFeature(CallbackSource? source)
{
    public CallbackSource? Source { get; } = source;
}
