namespace Relay.Core.Callbacks;

/// <summary>Where <see cref="ResultDetailXmlParser.Stream"/> hands the results of ResultDetailXML, one at a time.</summary>
public interface IResultSink
{
    void Result(ResultElement result);

    /// <summary>Forget every result handed over so far: the document is read again from its start.</summary>
    void Discard();
}
