using System.Text.Json;
using Relay.Core.Callbacks;

namespace Relay.Core.Events;

/// <summary>
/// Writes a result element as a JSON object: child elements by local name (repeated names become
/// arrays, in document order), <c>xsi:type</c> as <c>@type</c>, other attributes as <c>@name</c>,
/// text beside children as <c>#text</c>. A child with only text is a string; an empty or
/// <c>xsi:nil</c> one is null. Values stay strings: the XML's types are not guessed. Keys are unique:
/// attributes whose names collide once namespaces are dropped (<c>a:x</c> beside <c>b:x</c>, a plain
/// <c>type</c> beside <c>xsi:type</c>) keep the first <c>@name</c>, and each later one is
/// <c>@name#2</c>, <c>@name#3</c>, in document order.
/// </summary>
internal static class ResultElementJsonWriter
{
    // Up to this many children, grouping by name scans; past it, a dictionary keeps it linear.
    private const int ScanGroupingLimit = 16;

    public static void WriteObject(Utf8JsonWriter writer, ResultElement element)
    {
        writer.WriteStartObject();
        if (element.XsiType is not null)
        {
            writer.WriteString("@type", element.XsiType);
        }

        if (element.Attributes.Count > 0)
        {
            WriteAttributes(writer, element);
        }

        string? text = element.Text;
        if (!string.IsNullOrWhiteSpace(text))
        {
            writer.WriteString("#text", text);
        }

        WriteChildren(writer, element.Children);
        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, ResultElement element)
    {
        var attributes = element.Attributes;
        bool hasType = element.XsiType is not null;

        // A few attributes are the rule: earlier names are scanned, without allocating; many get a dictionary.
        Dictionary<string, int>? seen = attributes.Count > ScanGroupingLimit ? new(StringComparer.Ordinal) : null;
        for (int i = 0; i < attributes.Count; i++)
        {
            var (name, value) = attributes[i];
            int earlier = hasType && name == "type" ? 1 : 0;
            if (seen is null)
            {
                for (int j = 0; j < i; j++)
                {
                    earlier += attributes[j].Key == name ? 1 : 0;
                }
            }
            else
            {
                earlier += seen.GetValueOrDefault(name);
                seen[name] = seen.GetValueOrDefault(name) + 1;
            }

            // "@x#2" cannot be taken by anything else: '#' is not a character of an XML name.
            writer.WriteString(earlier == 0 ? "@" + name : "@" + name + "#" + (earlier + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, ResultElement element)
    {
        if (!element.IsLeaf)
        {
            WriteObject(writer, element);
        }
        else if (element.IsNil || string.IsNullOrEmpty(element.Text))
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(element.Text);
        }
    }

    private static void WriteChildren(Utf8JsonWriter writer, IReadOnlyList<ResultElement> children)
    {
        if (children.Count > ScanGroupingLimit)
        {
            WriteGroups(writer, children);
            return;
        }

        for (int i = 0; i < children.Count; i++)
        {
            string name = children[i].Name;
            if (AppearsBefore(children, i, name))
            {
                continue;
            }

            int count = 1;
            for (int j = i + 1; j < children.Count; j++)
            {
                count += children[j].Name == name ? 1 : 0;
            }

            writer.WritePropertyName(name);
            if (count == 1)
            {
                WriteValue(writer, children[i]);
                continue;
            }

            writer.WriteStartArray();
            for (int j = i; j < children.Count; j++)
            {
                if (children[j].Name == name)
                {
                    WriteValue(writer, children[j]);
                }
            }

            writer.WriteEndArray();
        }
    }

    private static bool AppearsBefore(IReadOnlyList<ResultElement> children, int index, string name)
    {
        for (int i = 0; i < index; i++)
        {
            if (children[i].Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteGroups(Utf8JsonWriter writer, IReadOnlyList<ResultElement> children)
    {
        var groups = new Dictionary<string, List<ResultElement>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var child in children)
        {
            if (!groups.TryGetValue(child.Name, out var group))
            {
                groups[child.Name] = group = [];
                order.Add(child.Name);
            }

            group.Add(child);
        }

        foreach (string name in order)
        {
            var group = groups[name];
            writer.WritePropertyName(name);
            if (group.Count == 1)
            {
                WriteValue(writer, group[0]);
                continue;
            }

            writer.WriteStartArray();
            foreach (var element in group)
            {
                WriteValue(writer, element);
            }

            writer.WriteEndArray();
        }
    }
}
