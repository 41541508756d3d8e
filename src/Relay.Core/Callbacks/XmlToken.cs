namespace Relay.Core.Callbacks;

/// <summary>What <see cref="Utf8XmlScanner.Next"/> read.</summary>
internal enum XmlToken
{
    End,
    StartTag,
    EndTag,
    Text,
    Whitespace,
    CData,
}
