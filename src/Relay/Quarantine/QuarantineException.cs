namespace Relay.Quarantine;

/// <summary>A quarantine operation that cannot be done, with a message for the operator.</summary>
internal sealed class QuarantineException(string message) : Exception(message);
