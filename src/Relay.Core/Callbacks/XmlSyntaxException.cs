namespace Relay.Core.Callbacks;

/// <summary>XML that is not well-formed: the message says what and where.</summary>
internal sealed class XmlSyntaxException(string message) : Exception(message);
