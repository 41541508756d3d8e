using System.Runtime.CompilerServices;

namespace Relay.Core.Callbacks;

/// <summary>
/// The elements of ResultDetailXML being read, flat: nodes, attributes and text pieces in arrays, their
/// names numbers of an <see cref="XmlNameTable"/>, their decoded values in one byte buffer, all reused from
/// one callback to the next. A callback's hundreds of elements cost no allocation, and a result's subtree
/// is let go by cutting the arrays back to where it started (a subtree is always the last thing in them;
/// the names stay in the table until the document ends).
/// </summary>
public sealed class ResultTree
{
    public const int None = -1;

    private Node[] _nodes = new Node[256];
    private Attribute[] _attributes = new Attribute[64];
    private TextPiece[] _texts = new TextPiece[256];
    private byte[] _bytes = new byte[16 * 1024];
    private int _nodeCount;
    private int _attributeCount;
    private int _textCount;
    private int _byteCount;

    internal struct Node
    {
        public int Name; // a number of Names
        public int Type, TypeLength; // the local part of xsi:type; TypeLength is None when there is none
        public bool IsNil;
        public int FirstText, LastText;
        public int FirstChild, LastChild, NextSibling, ChildCount;
        public int FirstAttribute, AttributeCount;
    }

    internal readonly record struct Attribute(int Name, int Value, int ValueLength);

    internal record struct TextPiece(int Offset, int Length, int Next);

    /// <summary>Where the arrays ended at some point: what <see cref="CutBack"/> returns them to.</summary>
    internal readonly record struct Mark(int Nodes, int Attributes, int Texts, int Bytes);

    internal Mark Now => new(_nodeCount, _attributeCount, _textCount, _byteCount);

    /// <summary>The local names of the document's elements and attributes.</summary>
    internal XmlNameTable Names { get; } = new();

    /// <summary>How many bytes the tree holds on to; a thread keeps a tree only while it is small.</summary>
    internal int Capacity => _bytes.Length + (_nodes.Length * 64) + Names.Capacity;

    internal void Clear()
    {
        CutBack(default);
        Names.Clear();
    }

    internal void CutBack(Mark mark)
    {
        _nodeCount = mark.Nodes;
        _attributeCount = mark.Attributes;
        _textCount = mark.Texts;
        _byteCount = mark.Bytes;
    }

    // --- reading the tree -------------------------------------------------------------------------------

    internal ref readonly Node this[int node] => ref _nodes[node];

    public ReadOnlySpan<byte> Name(int node) => Names[_nodes[node].Name];

    /// <summary>The number of the element's local name in <see cref="Names"/>: two elements of one name have the same.</summary>
    internal int NameNumber(int node) => _nodes[node].Name;

    /// <summary>The local part of the element's <c>xsi:type</c>; <paramref name="type"/> is empty when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetType(int node, out ReadOnlySpan<byte> type)
    {
        ref readonly var n = ref _nodes[node];
        type = n.TypeLength == None ? default : Bytes(n.Type, n.TypeLength);
        return n.TypeLength != None;
    }

    public bool IsNil(int node) => _nodes[node].IsNil;

    public int ChildCount(int node) => _nodes[node].ChildCount;

    public int FirstChild(int node) => _nodes[node].FirstChild;

    public int NextSibling(int node) => _nodes[node].NextSibling;

    public int AttributeCount(int node) => _nodes[node].AttributeCount;

    public ReadOnlySpan<byte> AttributeName(int node, int index) => Names[AttributeNameNumber(node, index)];

    internal int AttributeNameNumber(int node, int index) => _attributes[_nodes[node].FirstAttribute + index].Name;

    public ReadOnlySpan<byte> AttributeValue(int node, int index)
    {
        var attribute = _attributes[_nodes[node].FirstAttribute + index];
        return Bytes(attribute.Value, attribute.ValueLength);
    }

    /// <summary>A leaf carries only text: it becomes a JSON string (or null), not an object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLeaf(int node)
    {
        ref readonly var n = ref _nodes[node];
        return n.FirstChild == None && n.AttributeCount == 0 && n.TypeLength == None;
    }

    /// <summary>Whether the element has text (pieces of it may be split by comments, CDATA or children).</summary>
    public bool HasText(int node) => _nodes[node].FirstText != None;

    /// <summary>The element's text, its pieces joined into <paramref name="scratch"/> when there are several.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Text(int node, ref byte[]? scratch)
    {
        ref readonly var n = ref _nodes[node];
        if (n.FirstText == None)
        {
            return default;
        }

        var first = _texts[n.FirstText];
        if (first.Next == None)
        {
            return Bytes(first.Offset, first.Length);
        }

        int length = 0;
        for (int piece = n.FirstText; piece != None; piece = _texts[piece].Next)
        {
            length += _texts[piece].Length;
        }

        if (scratch is null || scratch.Length < length)
        {
            scratch = new byte[Math.Max(length, 256)];
        }

        int written = 0;
        for (int piece = n.FirstText; piece != None; piece = _texts[piece].Next)
        {
            Bytes(_texts[piece].Offset, _texts[piece].Length).CopyTo(scratch.AsSpan(written));
            written += _texts[piece].Length;
        }

        return scratch.AsSpan(0, length);
    }

    /// <summary>Whether the element has a child of the name numbered <paramref name="name"/> in <see cref="Names"/>.</summary>
    internal bool HasChild(int node, int name)
    {
        for (int child = _nodes[node].FirstChild; child != None; child = _nodes[child].NextSibling)
        {
            if (_nodes[child].Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private ReadOnlySpan<byte> Bytes(int offset, int length) => _bytes.AsSpan(offset, length);

    // --- building the tree --------------------------------------------------------------------------------

    /// <summary>Room for <paramref name="length"/> more bytes; write them there and <see cref="Commit"/> as many as were used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<byte> Reserve(int length)
    {
        if (_bytes.Length - _byteCount < length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + length));
        }

        return _bytes.AsSpan(_byteCount, length);
    }

    /// <returns>The offset of the bytes committed.</returns>
    internal int Commit(int length)
    {
        int offset = _byteCount;
        _byteCount += length;
        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        return Commit(bytes.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int AddNode(int parent, int localName)
    {
        if (_nodeCount == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodes.Length * 2);
        }

        int node = _nodeCount++;
        _nodes[node] = new Node
        {
            Name = localName,
            TypeLength = None,
            FirstText = None,
            LastText = None,
            FirstChild = None,
            LastChild = None,
            NextSibling = None,
            FirstAttribute = _attributeCount,
        };
        if (parent != None)
        {
            ref var p = ref _nodes[parent];
            if (p.LastChild == None)
            {
                p.FirstChild = node;
            }
            else
            {
                _nodes[p.LastChild].NextSibling = node;
            }

            p.LastChild = node;
            p.ChildCount++;
        }

        return node;
    }

    /// <summary>Adds an attribute of the node added last, whose value is already committed.</summary>
    internal void AddAttribute(int node, int localName, int value, int valueLength)
    {
        if (_attributeCount == _attributes.Length)
        {
            Array.Resize(ref _attributes, _attributes.Length * 2);
        }

        _attributes[_attributeCount++] = new Attribute(localName, value, valueLength);
        _nodes[node].AttributeCount++;
    }

    internal void SetType(int node, int offset, int length)
    {
        _nodes[node].Type = offset;
        _nodes[node].TypeLength = length;
    }

    internal void SetNil(int node, bool isNil) => _nodes[node].IsNil = isNil;

    /// <summary>Adds a piece of the node's text, already committed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddText(int node, int offset, int length)
    {
        if (_textCount == _texts.Length)
        {
            Array.Resize(ref _texts, _texts.Length * 2);
        }

        int piece = _textCount++;
        _texts[piece] = new TextPiece(offset, length, None);
        ref var n = ref _nodes[node];
        if (n.LastText == None)
        {
            n.FirstText = piece;
        }
        else
        {
            _texts[n.LastText].Next = piece;
        }

        n.LastText = piece;
    }

    /// <summary>Forgets the node's children (what they occupy is cut back separately, or stays until the tree is cleared).</summary>
    internal void ClearChildren(int node)
    {
        ref var n = ref _nodes[node];
        n.FirstChild = None;
        n.LastChild = None;
        n.ChildCount = 0;
    }
}
