namespace Relay.Callbacks;

/// <summary>
/// A path on the Public listener whose URLs end in a source's secret token, <c>{Path}/{token}</c>: the
/// callbacks' (<c>Relay:Callbacks:Path</c>) and ENS's (<c>Relay:Ens:Path</c>). <see cref="CallbackTokenMiddleware"/>
/// takes the token off each before routing, and <see cref="CallbackPathRedactor"/> off every recorded path.
/// </summary>
/// <param name="Path">The literal path before the token.</param>
/// <param name="AllowsTokenless">Whether <c>{Path}</c> itself is a URL (the callbacks' with <c>AllowTokenless</c>).</param>
internal sealed record TokenDoor(string Path, bool AllowsTokenless = false);
