using Relay.Core.Callbacks;

namespace Relay.Core.Events;

/// <summary>
/// Writes the results of ResultDetailXML as a JSON array while they are parsed, one result at a time and
/// straight into the event, so that a document of thousands of results is never held whole. A document
/// that fails halfway is cut back to where its array began: it gets <c>results: null</c>, not the results
/// before the failure.
/// </summary>
internal sealed class ResultsJsonSink : IResultSink
{
    // A thread's own sink: nearly every callback writes results, and a sink is only where its array began.
    [ThreadStatic]
    private static ResultsJsonSink? t_reused;

    private JsonBuffer? _json;
    private JsonBuffer.Mark _start;

    /// <summary>Writes the <c>results</c> of <paramref name="xml"/> (UTF-8) as the next value of <paramref name="json"/>.</summary>
    /// <returns>Why ResultDetailXML could not be read, or null.</returns>
    public static string? WriteResults(JsonBuffer json, ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits)
    {
        // Nested use cannot happen today; should it ever, a fresh sink keeps the two apart.
        var sink = t_reused ??= new ResultsJsonSink();
        if (sink._json is not null)
        {
            sink = new ResultsJsonSink();
        }

        sink._json = json;
        sink._start = json.Now;
        try
        {
            json.StartArray();
            string? error = ResultDetailXmlParser.Stream(xml, limits, sink, out bool found);
            if (error is not null || !found)
            {
                json.CutBack(sink._start);
                json.Null();
                return error;
            }

            json.EndArray();
            return null;
        }
        finally
        {
            sink._json = null;
        }
    }

    public void Result(ResultTree tree, int node) => ResultTreeJsonWriter.WriteObject(_json!, tree, node);

    public void Discard()
    {
        _json!.CutBack(_start);
        _json.StartArray();
    }
}
