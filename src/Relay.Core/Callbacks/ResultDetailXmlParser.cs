using System.Runtime.CompilerServices;
using System.Text;
using Relay.Core.Memory;

namespace Relay.Core.Callbacks;

/// <summary>
/// Parses ResultDetailXML defensively. No public sample survives, so the parser assumes little: any
/// root, namespaces with or without prefixes, <c>xsi:type</c> attributes, a fragment of several roots.
/// A result is an element that carries a <c>StatusCode</c> child (every Result type of the WSDL does);
/// the outermost such elements are the results. When there are none, the root's children are.
/// DTDs are refused and no entity but XML's five is known, so XXE and entity expansion cannot happen.
/// It reads the UTF-8 the callback arrived in (<see cref="Utf8XmlScanner"/>) into a reused
/// <see cref="ResultTree"/>: hundreds of elements cost no allocation.
/// </summary>
public static class ResultDetailXmlParser
{
    // A thread keeps its tree for the next document while the tree stays this small.
    private const int ReusedTreeMaxBytes = 1024 * 1024;

    [ThreadStatic]
    private static Reader? t_reader;

    /// <summary>The results as elements, for tools and tests; the server streams them (<see cref="Stream(ReadOnlySpan{byte}, ResultDetailXmlLimits, IResultSink, out bool)"/>).</summary>
    public static ResultDetail Parse(string? xml, ResultDetailXmlLimits limits)
    {
        var results = new ResultList();
        bool found = false;
        string? error = xml is null ? null : ReadWhole(Encoding.UTF8.GetBytes(xml), limits, results, out found);
        return error is not null ? ResultDetail.Failed(error) : found ? new ResultDetail(results.Results, null) : ResultDetail.None;
    }

    /// <summary>As <see cref="Stream(ReadOnlySpan{byte}, ResultDetailXmlLimits, IResultSink, out bool)"/>, for XML held as a string.</summary>
    public static string? Stream(string? xml, ResultDetailXmlLimits limits, IResultSink sink, out bool found)
    {
        ArgumentNullException.ThrowIfNull(sink);
        found = false;
        if (xml is null)
        {
            return null;
        }

        // Text that is not well-formed UTF-16 gets U+FFFD, as the event's resultDetailXml does.
        byte[] utf8 = Encoding.UTF8.GetBytes(xml);
        return Stream(utf8, limits, sink, out found);
    }

    /// <summary>
    /// Hands each result of ResultDetailXML (in UTF-8) to <paramref name="sink"/> as soon as it is known to
    /// be one and lets it go, so that a document of thousands of results is never held whole. On an
    /// error, results already handed over are to be discarded.
    /// </summary>
    /// <param name="found">Whether there was XML, so that results (maybe none) were handed over.</param>
    /// <returns>Null when the results were all handed over (or there was no XML); otherwise why it failed.</returns>
    public static string? Stream(ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits, IResultSink sink, out bool found) =>
        Read(xml, limits, sink, stream: true, out found);

    /// <summary>As <see cref="Stream(ReadOnlySpan{byte}, ResultDetailXmlLimits, IResultSink, out bool)"/>, holding the whole tree to the end: what streaming must agree with.</summary>
    internal static string? ReadWhole(ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits, IResultSink sink, out bool found) =>
        Read(xml, limits, sink, stream: false, out found);

    private static string? Read(ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits, IResultSink sink, bool stream, out bool found)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(sink);
        found = false;
        if (Utf8WhiteSpace.IsAll(xml))
        {
            return null;
        }

        if (xml.Length > limits.MaxCharacters && Encoding.UTF8.GetCharCount(xml) is int characters && characters > limits.MaxCharacters)
        {
            return $"ResultDetailXML has {characters} characters, over the limit of {limits.MaxCharacters}; it was not parsed";
        }

        var reader = t_reader ?? new Reader();
        t_reader = null;
        try
        {
            return reader.Read(xml, limits, sink, stream, out found);
        }
        finally
        {
            if (reader.Tree.Capacity <= ReusedTreeMaxBytes)
            {
                t_reader = reader;
            }
        }
    }

    /// <summary>One thread's state for reading a document: the tree, the open elements, the namespaces.</summary>
    private sealed class Reader
    {
        private const int ScanAttributesLimit = 16;
        private static readonly byte[] StatusCode = "StatusCode"u8.ToArray();

        private readonly List<int> _roots = [];
        private readonly List<int> _results = [];
        private readonly XmlNamespaceScope _namespaces = new();
        private (int Node, Range Name)[] _open = new (int, Range)[16];
        private int _depth;
        private int _statusCode;
        private (Range Name, Range Value, bool Declaration)[] _attributes = new (Range, Range, bool)[8];

        public ResultTree Tree { get; } = new();

        public string? Read(ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits, IResultSink sink, bool stream, out bool found)
        {
            found = false;
            Tree.Clear();
            _namespaces.Clear();
            _roots.Clear();
            _depth = 0;
            _statusCode = Tree.Names.Intern(StatusCode);
            bool handedOver = false;
            bool rootIsResult = false;
            var mark = Tree.Now;
            var scanner = new Utf8XmlScanner(xml);
            try
            {
                if (XmlNames.IndexOfNonCharacter(xml) is int bad and >= 0)
                {
                    throw new XmlSyntaxException($"a character XML does not allow, at byte {bad}");
                }

                XmlToken token;
                while (true)
                {
                    // A leaf inside a result (below the root's children: nothing to hand over or to check for
                    // a StatusCode of the root) in one step; any other token as it comes.
                    if (_depth >= 2 && _depth < limits.MaxDepth && scanner.TryReadLeaf(out var leafName, out var leafText))
                    {
                        AddLeaf(xml, leafName, leafText);
                        continue;
                    }

                    scanner.ExpectEndTag(_depth > 0 ? _open[_depth - 1].Name : default);
                    if ((token = scanner.Next()) == XmlToken.End)
                    {
                        break;
                    }

                    switch (token)
                    {
                        case XmlToken.StartTag:
                            if (_depth >= limits.MaxDepth)
                            {
                                return $"ResultDetailXML nests deeper than the limit of {limits.MaxDepth} elements; it was not parsed";
                            }

                            if (_depth == 1)
                            {
                                mark = Tree.Now;
                            }

                            int parent = _depth > 0 ? _open[_depth - 1].Node : ResultTree.None;
                            var name = scanner.NameRange;
                            int element = ReadElement(ref scanner, xml, parent);
                            if (_depth == 1 && Tree.NameNumber(element) == _statusCode)
                            {
                                if (stream && handedOver)
                                {
                                    // The root is a result itself after all, and results in it were handed
                                    // over: only the whole tree tells the answer, so read it as Parse does.
                                    sink.Discard();
                                    return Read(xml, limits, sink, stream: false, out found);
                                }

                                rootIsResult = true;
                            }

                            if (parent == ResultTree.None)
                            {
                                _roots.Add(element);
                                rootIsResult = false;
                            }

                            if (!scanner.IsEmptyElement)
                            {
                                Push(element, name);
                            }
                            else
                            {
                                _namespaces.Leave(_depth + 1);
                                if (stream && _depth == 1 && !rootIsResult)
                                {
                                    handedOver = HandOver(_open[0].Node, sink, handedOver, mark);
                                }
                            }

                            break;

                        case XmlToken.EndTag:
                            if (!scanner.EndTagIsExpected && (_depth == 0 || !scanner.Name.SequenceEqual(xml[_open[_depth - 1].Name])))
                            {
                                throw scanner.Fail(_depth == 0 ? "an end tag that closes nothing" : "an end tag that does not match its start tag");
                            }

                            _namespaces.Leave(_depth);
                            _depth--;
                            if (stream && _depth == 1 && !rootIsResult)
                            {
                                handedOver = HandOver(_open[0].Node, sink, handedOver, mark);
                            }

                            break;

                        case XmlToken.Text or XmlToken.CData:
                            if (_depth > 0)
                            {
                                AddText(ref scanner, token, _open[_depth - 1].Node);
                            }

                            break;
                    }
                }

                if (_depth > 0)
                {
                    throw scanner.Fail("the document ends before its elements do");
                }
            }
            catch (XmlSyntaxException ex)
            {
                return $"ResultDetailXML is not well-formed XML: {ex.Message}";
            }

            if (_roots.Count == 0)
            {
                return "ResultDetailXML holds no element";
            }

            // What is left: roots that are results themselves, or, when nothing was a result, the fallback.
            SelectResults(handedOver);
            foreach (int result in _results)
            {
                sink.Result(Tree, result);
            }

            found = true;
            return null;
        }

        private void Push(int element, Range name)
        {
            if (_depth == _open.Length)
            {
                Array.Resize(ref _open, _depth * 2);
            }

            _open[_depth++] = (element, name);
        }

        /// <summary>Reads the start tag's attributes (namespace declarations first, wherever they are) into a new node.</summary>
        private int ReadElement(ref Utf8XmlScanner scanner, ReadOnlySpan<byte> xml, int parent)
        {
            var qualifiedName = scanner.Name;
            int count = 0;
            int depth = _depth + 1;
            while (scanner.NextAttribute(out var name, out var value))
            {
                if (count == _attributes.Length)
                {
                    Array.Resize(ref _attributes, count * 2);
                }

                var attributeName = xml[name];
                bool declaration = IsDeclaration(attributeName);
                _attributes[count++] = (name, value, declaration);
                if (declaration)
                {
                    var prefix = attributeName.Length == 5 ? default : attributeName[6..];
                    if (attributeName.Length > 5)
                    {
                        CheckName(ref scanner, prefix);
                    }

                    var uri = DecodeAttribute(ref scanner, xml[value]);
                    if (XmlNamespaceScope.CheckDeclaration(prefix, uri) is { } problem)
                    {
                        throw scanner.Fail(problem);
                    }

                    _namespaces.Declare(depth, prefix, uri);
                }
            }

            var localName = scanner.NameHasColon ? LocalName(ref scanner, qualifiedName, isAttribute: false, out _) : qualifiedName;
            int element = Tree.AddNode(parent, Tree.Names.Intern(localName));
            // A few attributes are the rule, compared pair by pair; many get a set, so that a tag of
            // thousands costs what their length does.
            var seen = count > ScanAttributesLimit ? new HashSet<string>(StringComparer.Ordinal) : null;
            for (int i = 0; i < count; i++)
            {
                var (name, value, declaration) = _attributes[i];
                var attributeName = xml[name];

                // The first attribute has none before it to repeat (most tags have one at most).
                if (seen is not null ? !seen.Add(Encoding.UTF8.GetString(attributeName)) : i > 0 && AppearsBefore(xml, i, attributeName))
                {
                    throw scanner.Fail("an attribute appears twice in one tag");
                }

                if (declaration)
                {
                    continue;
                }

                var local = LocalName(ref scanner, attributeName, isAttribute: true, out var uri);
                if (!uri.IsEmpty && (seen is not null
                    ? !seen.Add("{" + Encoding.UTF8.GetString(uri) + "}" + Encoding.UTF8.GetString(local))
                    : i > 0 && SameExpandedNameBefore(xml, i, local, uri)))
                {
                    throw scanner.Fail("two attributes of one tag are the same once their prefixes are resolved");
                }

                var decoded = Tree.Reserve(xml[value].Length);
                int length = scanner.DecodeAttributeValue(xml[value], decoded);
                bool xsi = !uri.IsEmpty && XmlNamespaceScope.IsXsi(uri);
                if (xsi && local.SequenceEqual("type"u8))
                {
                    // The local part of a qualified type name: "p:CreateResult" is CreateResult.
                    var type = decoded[..length];
                    int colon = type.IndexOf((byte)':');
                    int offset = Tree.Commit(length);
                    Tree.SetType(element, offset + colon + 1, length - colon - 1);
                }
                else if (xsi && local.SequenceEqual("nil"u8))
                {
                    Tree.SetNil(element, decoded[..length] is [(byte)'1'] or [(byte)'t', (byte)'r', (byte)'u', (byte)'e']);
                }
                else
                {
                    int offset = Tree.Commit(length);
                    Tree.AddAttribute(element, Tree.Names.Intern(local), offset, length);
                }
            }

            return element;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsDeclaration(ReadOnlySpan<byte> attributeName) =>
            attributeName.StartsWith("xmlns"u8) && (attributeName.Length == 5 || attributeName[5] == (byte)':');

        private bool AppearsBefore(ReadOnlySpan<byte> xml, int index, ReadOnlySpan<byte> name)
        {
            for (int j = 0; j < index; j++)
            {
                if (xml[_attributes[j].Name].SequenceEqual(name))
                {
                    return true;
                }
            }

            return false;
        }

        private bool SameExpandedNameBefore(ReadOnlySpan<byte> xml, int index, ReadOnlySpan<byte> local, ReadOnlySpan<byte> uri)
        {
            for (int j = 0; j < index; j++)
            {
                var other = xml[_attributes[j].Name];
                int colon = other.IndexOf((byte)':');
                if (colon < 0 || !other[(colon + 1)..].SequenceEqual(local) || other[..colon].SequenceEqual("xmlns"u8))
                {
                    continue;
                }

                _namespaces.TryResolve(other[..colon], out var otherUri);
                if (otherUri.SequenceEqual(uri))
                {
                    return true;
                }
            }

            return false;
        }

        private ReadOnlySpan<byte> DecodeAttribute(ref Utf8XmlScanner scanner, ReadOnlySpan<byte> raw)
        {
            // Decoded at the end of the tree's bytes, not kept: the scope copies what it needs.
            var decoded = Tree.Reserve(raw.Length);
            return decoded[..scanner.DecodeAttributeValue(raw, decoded)];
        }

        /// <summary>The local part of a qualified name, its prefix resolved (an attribute without one is in no namespace).</summary>
        private ReadOnlySpan<byte> LocalName(ref Utf8XmlScanner scanner, ReadOnlySpan<byte> name, bool isAttribute, out ReadOnlySpan<byte> uri)
        {
            uri = default;
            int colon = name.IndexOf((byte)':');
            if (colon < 0)
            {
                return name;
            }

            var prefix = name[..colon];
            var local = name[(colon + 1)..];
            if (prefix.IsEmpty || local.IsEmpty || local.Contains((byte)':') || !XmlNames.IsNameStart(local))
            {
                throw scanner.Fail("a name with a misplaced ':'");
            }

            // .NET's reader took an element named xmlns:x as it was, and so does this one.
            bool xmlnsElement = !isAttribute && prefix.SequenceEqual("xmlns"u8);
            if (!xmlnsElement && (prefix.SequenceEqual("xmlns"u8) || !_namespaces.TryResolve(prefix, out uri)))
            {
                throw scanner.Fail(isAttribute ? "an attribute's prefix is not declared" : "an element's prefix is not declared");
            }

            return local;
        }

        private static void CheckName(ref Utf8XmlScanner scanner, ReadOnlySpan<byte> prefix)
        {
            if (prefix.IsEmpty || prefix.Contains((byte)':') || !XmlNames.IsNameStart(prefix))
            {
                throw scanner.Fail("a namespace prefix that is no name");
            }
        }

        /// <summary>As a start tag, text and end tag read one by one would add it: the node, and its text unless that is whitespace.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AddLeaf(ReadOnlySpan<byte> xml, Range name, Range textRange)
        {
            int element = Tree.AddNode(_open[_depth - 1].Node, Tree.Names.Intern(xml[name]));
            var text = xml[textRange];
            if (!text.IsEmpty && !Utf8XmlScanner.IsWhitespace(text))
            {
                Tree.AddText(element, Tree.Append(text), text.Length);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AddText(ref Utf8XmlScanner scanner, XmlToken token, int owner)
        {
            var raw = scanner.Raw;
            if (!scanner.RawNeedsDecoding)
            {
                Tree.AddText(owner, Tree.Append(raw), raw.Length);
                return;
            }

            var decoded = Tree.Reserve(raw.Length);
            int length = token == XmlToken.CData ? Utf8XmlScanner.DecodeCData(raw, decoded) : scanner.DecodeText(raw, decoded);
            Tree.AddText(owner, Tree.Commit(length), length);
        }

        /// <summary>
        /// A child of a root is complete: unless the root may be a result itself, the results in it are handed
        /// over, and once any result has been, what the roots kept for the fallback (no result anywhere) is let go.
        /// </summary>
        /// <returns>Whether any result has been handed over so far.</returns>
        private bool HandOver(int root, IResultSink sink, bool handedOver, ResultTree.Mark childStart)
        {
            var tree = Tree;
            _results.Clear();
            CollectOutermostResults(tree, tree[root].LastChild, _results);
            foreach (int result in _results)
            {
                sink.Result(tree, result);
            }

            if (!handedOver && _results.Count > 0)
            {
                // The first result: nothing kept for the fallback is needed any more. A root with a StatusCode
                // of its own is a result, kept whole to the end.
                foreach (int kept in _roots)
                {
                    if (!tree.HasChild(kept, _statusCode))
                    {
                        tree.ClearChildren(kept);
                    }
                }
            }

            if (handedOver || _results.Count > 0)
            {
                tree.ClearChildren(root);
                tree.CutBack(childStart);
                return true;
            }

            return false;
        }

        private void SelectResults(bool handedOver)
        {
            _results.Clear();
            foreach (int root in _roots)
            {
                CollectOutermostResults(Tree, root, _results);
            }

            if (_results.Count > 0 || handedOver)
            {
                return;
            }

            if (_roots.Count == 1 && Tree.ChildCount(_roots[0]) > 0)
            {
                for (int child = Tree.FirstChild(_roots[0]); child != ResultTree.None; child = Tree.NextSibling(child))
                {
                    _results.Add(child);
                }

                return;
            }

            _results.AddRange(_roots);
        }

        private void CollectOutermostResults(ResultTree tree, int element, List<int> results)
        {
            if (tree.HasChild(element, _statusCode))
            {
                results.Add(element);
                return;
            }

            for (int child = tree.FirstChild(element); child != ResultTree.None; child = tree.NextSibling(child))
            {
                CollectOutermostResults(tree, child, results);
            }
        }
    }

    private sealed class ResultList : IResultSink
    {
        public List<ResultElement> Results { get; } = [];

        public void Result(ResultTree tree, int node) => Results.Add(ResultElement.From(tree, node));

        public void Discard() => Results.Clear();
    }
}
