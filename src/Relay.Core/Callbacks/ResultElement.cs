using System.Text;

namespace Relay.Core.Callbacks;

/// <summary>
/// One element of ResultDetailXML as objects, reduced to what the event carries (names without
/// namespaces): what <see cref="ResultDetailXmlParser.Parse"/> gives tools and tests. The server writes
/// events straight from the <see cref="ResultTree"/> instead.
/// </summary>
public sealed class ResultElement
{
    private ResultElement(string name, string? xsiType, bool isNil, string? text, IReadOnlyList<ResultElement> children,
        IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        Name = name;
        XsiType = xsiType;
        IsNil = isNil;
        Text = text;
        Children = children;
        Attributes = attributes;
    }

    public string Name { get; }

    /// <summary>The local part of the element's <c>xsi:type</c>, e.g. <c>CreateResult</c> or <c>Subscriber</c>.</summary>
    public string? XsiType { get; }

    /// <summary>True when the element carries <c>xsi:nil="true"</c>.</summary>
    public bool IsNil { get; }

    /// <summary>The element's text, its pieces (split by comments, CDATA or children) joined; null when it has none.</summary>
    public string? Text { get; }

    public IReadOnlyList<ResultElement> Children { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Attributes { get; }

    /// <summary>A leaf carries only text: it becomes a JSON string (or null), not an object.</summary>
    public bool IsLeaf => Children.Count == 0 && Attributes.Count == 0 && XsiType is null;

    /// <summary>The element <paramref name="node"/> of <paramref name="tree"/>, with its descendants, as objects.</summary>
    public static ResultElement From(ResultTree tree, int node)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var children = new List<ResultElement>(tree.ChildCount(node));
        for (int child = tree.FirstChild(node); child != ResultTree.None; child = tree.NextSibling(child))
        {
            children.Add(From(tree, child));
        }

        var attributes = new List<KeyValuePair<string, string>>(tree.AttributeCount(node));
        for (int i = 0; i < tree.AttributeCount(node); i++)
        {
            attributes.Add(new(Encoding.UTF8.GetString(tree.AttributeName(node, i)), Encoding.UTF8.GetString(tree.AttributeValue(node, i))));
        }

        byte[]? scratch = null;
        string? text = tree.HasText(node) ? Encoding.UTF8.GetString(tree.Text(node, ref scratch)) : null;
        string? type = tree.TryGetType(node, out var xsiType) ? Encoding.UTF8.GetString(xsiType) : null;
        return new ResultElement(Encoding.UTF8.GetString(tree.Name(node)), type, tree.IsNil(node), text, children, attributes);
    }
}
