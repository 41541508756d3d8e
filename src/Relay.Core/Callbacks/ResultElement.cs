using System.Text;

namespace Relay.Core.Callbacks;

/// <summary>One element of ResultDetailXML, reduced to what the event carries: names without namespaces.</summary>
public sealed class ResultElement(string name)
{
    // A string, or a StringBuilder while the text arrives in pieces: one field, since elements are many.
    private object? _text;
    private List<ResultElement>? _children;
    private List<KeyValuePair<string, string>>? _attributes;

    public string Name { get; } = name;

    /// <summary>The local part of the element's <c>xsi:type</c>, e.g. <c>CreateResult</c> or <c>Subscriber</c>.</summary>
    public string? XsiType { get; internal set; }

    /// <summary>True when the element carries <c>xsi:nil="true"</c>.</summary>
    public bool IsNil { get; internal set; }

    public string? Text => _text as string;

    public IReadOnlyList<ResultElement> Children => (IReadOnlyList<ResultElement>?)_children ?? [];

    public IReadOnlyList<KeyValuePair<string, string>> Attributes =>
        (IReadOnlyList<KeyValuePair<string, string>>?)_attributes ?? [];

    /// <summary>A leaf carries only text: it becomes a JSON string (or null), not an object.</summary>
    public bool IsLeaf => _children is null && _attributes is null && XsiType is null;

    internal void AddChild(ResultElement child) => (_children ??= []).Add(child);

    internal void ClearChildren() => _children?.Clear();

    internal void AddAttribute(string name, string value) => (_attributes ??= []).Add(new(name, value));

    /// <summary>
    /// Text split by comments or CDATA sections arrives in pieces. One piece is the rule and costs nothing;
    /// more are gathered in a builder, so that many pieces cost what their length does (concatenating each
    /// onto the last was quadratic: 200,000 CDATA sections took 28 s of CPU).
    /// </summary>
    internal void AppendText(string text)
    {
        _text = _text switch
        {
            null => text,
            string first => new StringBuilder(first).Append(text),
            StringBuilder pieces => pieces.Append(text),
            _ => _text,
        };
    }

    /// <summary>Called at the element's end tag: its text pieces become one string.</summary>
    internal void CompleteText()
    {
        if (_text is StringBuilder pieces)
        {
            _text = pieces.ToString();
        }
    }

    internal bool HasChild(string name)
    {
        if (_children is null)
        {
            return false;
        }

        foreach (var child in _children)
        {
            if (child.Name == name)
            {
                return true;
            }
        }

        return false;
    }
}
