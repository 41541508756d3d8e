namespace Relay.Callbacks;

/// <summary>
/// What a URL's token (taken off the path, which no longer carries it) said: the door it came through and
/// the source it belongs to, or null for a wrong or missing token.
/// </summary>
internal sealed class CallbackTokenFeature(TokenDoor door, CallbackSource? source)
{
    public TokenDoor Door { get; } = door;

    public CallbackSource? Source { get; } = source;
}
