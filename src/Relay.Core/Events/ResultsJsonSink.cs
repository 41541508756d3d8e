using System.Text.Json;
using Relay.Core.Callbacks;

namespace Relay.Core.Events;

/// <summary>
/// Writes the results of ResultDetailXML as a JSON array while they are parsed, one result at a time, so
/// that a document of thousands of results is never held whole. The array is written aside and copied
/// into the event once the whole document has parsed: a document that fails halfway gets
/// <c>results: null</c>, not the results before the failure.
/// </summary>
internal sealed class ResultsJsonSink : IResultSink
{
    private const int ReusedBufferMaxBytes = 1024 * 1024;

    [ThreadStatic]
    private static ResultsJsonSink? t_reused;

    private readonly JsonBuffer _json;
    private bool _inUse;

    private ResultsJsonSink(int capacity)
    {
        _json = new JsonBuffer(capacity);
    }

    /// <summary>Writes the <c>results</c> of <paramref name="xml"/> (UTF-8) as the next value of <paramref name="writer"/>.</summary>
    /// <returns>Why ResultDetailXML could not be read, or null.</returns>
    public static string? WriteResults(Utf8JsonWriter writer, ReadOnlySpan<byte> xml, ResultDetailXmlLimits limits)
    {
        // A thread's own sink for the small documents of nearly every callback; a large one gets its own.
        bool large = xml.Length > ReusedBufferMaxBytes / 2;
        var sink = large ? new ResultsJsonSink(xml.Length) : Reused();
        try
        {
            sink.Begin();
            string? error = ResultDetailXmlParser.Stream(xml, limits, sink, out bool found);
            if (error is not null || !found)
            {
                writer.WriteNullValue();
                return error;
            }

            sink._json.EndArray();
            writer.WriteRawValue(sink._json.Written, skipInputValidation: true);
            return null;
        }
        finally
        {
            sink._inUse = false;
            if (!large && sink._json.Capacity > ReusedBufferMaxBytes && ReferenceEquals(t_reused, sink))
            {
                t_reused = null;
            }
        }
    }

    private static ResultsJsonSink Reused()
    {
        // Nested use cannot happen today; should it ever, a fresh sink keeps the two apart.
        var sink = t_reused ??= new ResultsJsonSink(16 * 1024);
        return sink._inUse ? new ResultsJsonSink(16 * 1024) : sink;
    }

    private void Begin()
    {
        _inUse = true;
        _json.Clear();
        _json.StartArray();
    }

    public void Result(ResultTree tree, int node) => ResultTreeJsonWriter.WriteObject(_json, tree, node);

    public void Discard() => Begin();
}
