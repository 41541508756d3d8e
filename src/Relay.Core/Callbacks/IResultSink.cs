namespace Relay.Core.Callbacks;

/// <summary>Where <see cref="ResultDetailXmlParser.Stream(ReadOnlySpan{byte}, ResultDetailXmlLimits, IResultSink, out bool)"/> hands the results of ResultDetailXML, one at a time.</summary>
public interface IResultSink
{
    /// <summary>
    /// The result <paramref name="node"/> of <paramref name="tree"/>: to be read during the call, not kept
    /// (the tree is cut back once the result has been handed over).
    /// </summary>
    void Result(ResultTree tree, int node);

    /// <summary>Forget every result handed over so far: the document is read again from its start.</summary>
    void Discard();
}
