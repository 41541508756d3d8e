using System.Xml;

namespace Relay.Core.Callbacks;

/// <summary>
/// Parses ResultDetailXML defensively. No public sample survives, so the parser assumes little: any
/// root, namespaces with or without prefixes, <c>xsi:type</c> attributes, a fragment of several roots.
/// A result is an element that carries a <c>StatusCode</c> child (every Result type of the WSDL does);
/// the outermost such elements are the results. When there are none, the root's children are.
/// DTDs are prohibited and nothing external is resolved, so XXE and entity expansion cannot happen.
/// </summary>
public static class ResultDetailXmlParser
{
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    public static ResultDetail Parse(string? xml, ResultDetailXmlLimits limits)
    {
        var results = new ResultList();
        string? error = Read(xml, limits, results, stream: false, out bool found);
        return error is not null ? ResultDetail.Failed(error) : found ? new ResultDetail(results.Results, null) : ResultDetail.None;
    }

    /// <summary>
    /// Parses as <see cref="Parse"/> does, handing each result to <paramref name="sink"/> as soon as it is
    /// known to be one and letting it go, so that a document of thousands of results is never held whole.
    /// On an error, results already handed over are to be discarded.
    /// </summary>
    /// <param name="found">Whether there was XML, so that results (maybe none) were handed over.</param>
    /// <returns>Null when the results were all handed over (or there was no XML); otherwise why it failed.</returns>
    public static string? Stream(string? xml, ResultDetailXmlLimits limits, IResultSink sink, out bool found)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return Read(xml, limits, sink, stream: true, out found);
    }

    private static string? Read(string? xml, ResultDetailXmlLimits limits, IResultSink sink, bool stream, out bool found)
    {
        found = false;
        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        if (xml.Length > limits.MaxCharacters)
        {
            return $"ResultDetailXML has {xml.Length} characters, over the limit of {limits.MaxCharacters}; it was not parsed";
        }

        if (DeclaresDtd(xml))
        {
            return "ResultDetailXML declares a DTD; DTDs and entities are refused";
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxCharacters,
            MaxCharactersFromEntities = 0,
            ConformanceLevel = ConformanceLevel.Fragment,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
        };

        var roots = new List<ResultElement>();
        var open = new Stack<ResultElement>();
        bool handedOver = false;
        bool rootIsResult = false;
        var handing = stream ? new List<ResultElement>() : null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (open.Count >= limits.MaxDepth)
                        {
                            return $"ResultDetailXML nests deeper than the limit of {limits.MaxDepth} elements; it was not parsed";
                        }

                        var element = ReadElement(reader);
                        if (open.TryPeek(out var parent))
                        {
                            if (open.Count == 1 && element.Name == "StatusCode")
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

                            parent.AddChild(element);
                        }
                        else
                        {
                            roots.Add(element);
                            rootIsResult = false;
                        }

                        if (!reader.IsEmptyElement)
                        {
                            open.Push(element);
                        }
                        else if (stream && open.Count == 1 && !rootIsResult)
                        {
                            handedOver = HandOver(open.Peek(), roots, sink, handing!, handedOver);
                        }

                        break;

                    case XmlNodeType.EndElement:
                        open.Pop().CompleteText();
                        if (stream && open.Count == 1 && !rootIsResult)
                        {
                            handedOver = HandOver(open.Peek(), roots, sink, handing!, handedOver);
                        }

                        break;

                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                        if (open.TryPeek(out var owner))
                        {
                            owner.AppendText(reader.Value);
                        }

                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            return $"ResultDetailXML is not well-formed XML: {ex.Message}";
        }

        if (roots.Count == 0)
        {
            return "ResultDetailXML holds no element";
        }

        // What is left: roots that are results themselves, or, when nothing was a result, the fallback.
        foreach (var result in SelectResults(roots, handedOver))
        {
            sink.Result(result);
        }

        found = true;
        return null;
    }

    /// <summary>
    /// A child of a root is complete: unless the root may be a result itself, the results in it are handed
    /// over, and once any result has been, what the roots kept for the fallback (no result anywhere) is let go.
    /// </summary>
    /// <returns>Whether any result has been handed over so far.</returns>
    private static bool HandOver(ResultElement root, List<ResultElement> roots, IResultSink sink, List<ResultElement> results, bool handedOver)
    {
        results.Clear();
        CollectOutermostResults(root.Children[^1], results);
        foreach (var result in results)
        {
            sink.Result(result);
        }

        if (!handedOver && results.Count > 0)
        {
            // The first result: nothing kept for the fallback is needed any more. A root with a StatusCode
            // of its own is a result, kept whole to the end.
            foreach (var kept in roots)
            {
                if (!kept.HasChild("StatusCode"))
                {
                    kept.ClearChildren();
                }
            }
        }

        if (handedOver || results.Count > 0)
        {
            root.ClearChildren();
            return true;
        }

        return false;
    }

    private sealed class ResultList : IResultSink
    {
        public List<ResultElement> Results { get; } = [];

        public void Result(ResultElement result) => Results.Add(result);

        public void Discard() => Results.Clear();
    }

    // The reader refuses DTDs anyway; this names the refusal. It looks for "<!", a vectorized search, and
    // compares the word only there: a case-insensitive search for the whole word over the document is not.
    private static bool DeclaresDtd(ReadOnlySpan<char> xml)
    {
        int at;
        while ((at = xml.IndexOf("<!", StringComparison.Ordinal)) >= 0)
        {
            xml = xml[(at + 2)..];
            if (xml.StartsWith("DOCTYPE", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static ResultElement ReadElement(XmlReader reader)
    {
        var element = new ResultElement(reader.LocalName);
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                if (reader.NamespaceURI == XmlnsNamespace)
                {
                    continue;
                }

                if (reader.NamespaceURI == XsiNamespace && reader.LocalName == "type")
                {
                    string type = reader.Value;
                    element.XsiType = type[(type.IndexOf(':', StringComparison.Ordinal) + 1)..];
                }
                else if (reader.NamespaceURI == XsiNamespace && reader.LocalName == "nil")
                {
                    element.IsNil = reader.Value is "true" or "1";
                }
                else
                {
                    element.AddAttribute(reader.LocalName, reader.Value);
                }
            }
            while (reader.MoveToNextAttribute());

            reader.MoveToElement();
        }

        return element;
    }

    private static List<ResultElement> SelectResults(List<ResultElement> roots, bool handedOver)
    {
        var results = new List<ResultElement>();
        foreach (var root in roots)
        {
            CollectOutermostResults(root, results);
        }

        if (results.Count > 0 || handedOver)
        {
            return results;
        }

        if (roots.Count == 1 && roots[0].Children.Count > 0)
        {
            return [.. roots[0].Children];
        }

        return roots;
    }

    private static void CollectOutermostResults(ResultElement element, List<ResultElement> results)
    {
        if (element.HasChild("StatusCode"))
        {
            results.Add(element);
            return;
        }

        foreach (var child in element.Children)
        {
            CollectOutermostResults(child, results);
        }
    }
}
