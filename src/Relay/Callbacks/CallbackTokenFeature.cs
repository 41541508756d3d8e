namespace Relay.Callbacks;

/// <summary>The token taken off a callback URL; the request's path no longer carries it.</summary>
internal sealed class CallbackTokenFeature(string token)
{
    public string Token { get; } = token;
}
