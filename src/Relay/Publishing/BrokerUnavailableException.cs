namespace Relay.Publishing;

/// <summary>The broker cannot be reached; the message names it without its credentials.</summary>
internal sealed class BrokerUnavailableException(string message, Exception inner) : Exception(message, inner);
