namespace Relay.Replay;

/// <summary>A replay that cannot go on, with a message for the operator (never the broker's credentials).</summary>
internal sealed class ReplayException(string message, Exception? inner = null) : Exception(message, inner);
