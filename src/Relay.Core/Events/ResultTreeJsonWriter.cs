using System.Runtime.CompilerServices;
using Relay.Core.Callbacks;
using Relay.Core.Memory;

namespace Relay.Core.Events;

/// <summary>
/// Writes a result element as a JSON object: child elements by local name (repeated names become
/// arrays, in document order), <c>xsi:type</c> as <c>@type</c>, other attributes as <c>@name</c>,
/// text beside children as <c>#text</c>. A child with only text is a string; an empty or
/// <c>xsi:nil</c> one is null. Values stay strings: the XML's types are not guessed. Keys are unique:
/// attributes whose names collide once namespaces are dropped (<c>a:x</c> beside <c>b:x</c>, a plain
/// <c>type</c> beside <c>xsi:type</c>) keep the first <c>@name</c>, and each later one is
/// <c>@name#2</c>, <c>@name#3</c>, in document order. Everything is written from the tree's UTF-8,
/// into a <see cref="JsonBuffer"/>.
/// </summary>
internal static class ResultTreeJsonWriter
{
    // Up to this many children or attributes, grouping by name scans; past it, a dictionary keeps it linear.
    private const int ScanGroupingLimit = 16;

    public static void WriteObject(JsonBuffer writer, ResultTree tree, int element)
    {
        byte[]? scratch = null;
        WriteObject(writer, tree, element, ref scratch);
    }

    private static void WriteObject(JsonBuffer writer, ResultTree tree, int element, ref byte[]? scratch)
    {
        writer.StartObject();
        bool hasType = tree.TryGetType(element, out var type);
        if (hasType)
        {
            writer.Name("@type"u8);
            writer.String(type);
        }

        if (tree.AttributeCount(element) > 0)
        {
            WriteAttributes(writer, tree, element, hasType);
        }

        if (tree.HasText(element))
        {
            var text = tree.Text(element, ref scratch);
            if (!Utf8WhiteSpace.IsAll(text))
            {
                writer.Name("#text"u8);
                writer.String(text);
            }
        }

        WriteChildren(writer, tree, element, ref scratch);
        writer.EndObject();
    }

    private static void WriteAttributes(JsonBuffer writer, ResultTree tree, int element, bool hasType)
    {
        int count = tree.AttributeCount(element);
        Dictionary<int, int>? seen = count > ScanGroupingLimit ? [] : null;
        for (int i = 0; i < count; i++)
        {
            int name = tree.AttributeNameNumber(element, i);
            int earlier = hasType && tree.AttributeName(element, i).SequenceEqual("type"u8) ? 1 : 0;
            if (seen is null)
            {
                for (int j = 0; j < i; j++)
                {
                    earlier += tree.AttributeNameNumber(element, j) == name ? 1 : 0;
                }
            }
            else
            {
                int before = seen.GetValueOrDefault(name);
                earlier += before;
                seen[name] = before + 1;
            }

            // "@x#2" cannot be taken by anything else: '#' is not a character of an XML name.
            writer.Name((byte)'@', tree.AttributeName(element, i), earlier == 0 ? 0 : earlier + 1);
            writer.String(tree.AttributeValue(element, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteValue(JsonBuffer writer, ResultTree tree, int element, ref byte[]? scratch)
    {
        if (!tree.IsLeaf(element))
        {
            WriteObject(writer, tree, element, ref scratch);
            return;
        }

        var text = tree.Text(element, ref scratch);
        if (tree.IsNil(element) || text.IsEmpty)
        {
            writer.Null();
        }
        else
        {
            writer.String(text);
        }
    }

    private static void WriteChildren(JsonBuffer writer, ResultTree tree, int element, ref byte[]? scratch)
    {
        if (tree.ChildCount(element) > ScanGroupingLimit)
        {
            WriteGroups(writer, tree, element, ref scratch);
            return;
        }

        // One walk marks the names that may repeat (by their numbers modulo 64): a child whose mark is not
        // among them has no namesake, and is written without looking for one. Most have none.
        ulong seen = 0, repeated = 0;
        for (int child = tree.FirstChild(element); child != ResultTree.None; child = tree.NextSibling(child))
        {
            ulong mark = 1UL << tree.NameNumber(child);
            repeated |= seen & mark;
            seen |= mark;
        }

        for (int child = tree.FirstChild(element); child != ResultTree.None; child = tree.NextSibling(child))
        {
            int name = tree.NameNumber(child);
            if ((repeated & (1UL << name)) == 0)
            {
                writer.Name(tree.Name(child));
                WriteValue(writer, tree, child, ref scratch);
                continue;
            }

            if (AppearsBefore(tree, element, child, name))
            {
                continue;
            }

            int count = 1;
            for (int next = tree.NextSibling(child); next != ResultTree.None; next = tree.NextSibling(next))
            {
                count += tree.NameNumber(next) == name ? 1 : 0;
            }

            writer.Name(tree.Name(child));
            if (count == 1)
            {
                WriteValue(writer, tree, child, ref scratch);
                continue;
            }

            writer.StartArray();
            for (int same = child; same != ResultTree.None; same = tree.NextSibling(same))
            {
                if (tree.NameNumber(same) == name)
                {
                    WriteValue(writer, tree, same, ref scratch);
                }
            }

            writer.EndArray();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AppearsBefore(ResultTree tree, int parent, int child, int name)
    {
        for (int earlier = tree.FirstChild(parent); earlier != child; earlier = tree.NextSibling(earlier))
        {
            if (tree.NameNumber(earlier) == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteGroups(JsonBuffer writer, ResultTree tree, int element, ref byte[]? scratch)
    {
        var groups = new Dictionary<int, List<int>>();
        var order = new List<List<int>>();
        for (int child = tree.FirstChild(element); child != ResultTree.None; child = tree.NextSibling(child))
        {
            int name = tree.NameNumber(child);
            if (!groups.TryGetValue(name, out var group))
            {
                groups[name] = group = [];
                order.Add(group);
            }

            group.Add(child);
        }

        foreach (var group in order)
        {
            writer.Name(tree.Name(group[0]));
            if (group.Count == 1)
            {
                WriteValue(writer, tree, group[0], ref scratch);
                continue;
            }

            writer.StartArray();
            foreach (int child in group)
            {
                WriteValue(writer, tree, child, ref scratch);
            }

            writer.EndArray();
        }
    }
}
