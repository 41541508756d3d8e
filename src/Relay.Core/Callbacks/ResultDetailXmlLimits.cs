namespace Relay.Core.Callbacks;

/// <summary>Bounds on parsing ResultDetailXML; past them the XML is kept raw and reported, not parsed.</summary>
public sealed record ResultDetailXmlLimits(int MaxCharacters, int MaxDepth)
{
    public static ResultDetailXmlLimits Default { get; } = new(MaxCharacters: 16 * 1024 * 1024, MaxDepth: 64);
}
