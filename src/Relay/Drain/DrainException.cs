namespace Relay.Drain;

/// <summary>A drain that cannot begin, in words for the operator.</summary>
internal sealed class DrainException(string message) : Exception(message);
