namespace Relay.Core.Callbacks;

/// <summary>
/// What ResultDetailXML held: the result elements, or why it could not be read. <see cref="Results"/>
/// is null both when there was no XML and when it failed; <see cref="Error"/> tells the two apart.
/// </summary>
public sealed record ResultDetail(IReadOnlyList<ResultElement>? Results, string? Error)
{
    public static ResultDetail None { get; } = new(null, null);

    public static ResultDetail Failed(string error) => new(null, error);
}
