using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Relay.Core.Events;

/// <summary>
/// Writes a callback event as a CloudEvents 1.0 JSON document in structured mode, straight into a reused
/// buffer, with no reflection and no intermediate stream: the event is most of a callback's work. The
/// CloudEvents SDK remains the consumers' reader and the tests' judge of what this writes
/// (docs/development/benchmarks.md, "What the profiles found and fixed", has the measurements).
/// </summary>
internal static class CloudEventJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        // The event is never embedded in HTML, so XML in resultDetailXml stays readable ('<', not '\u003C').
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // Past this expected size an event gets a buffer of its own, which becomes its body without a copy.
    private const int ReusedBufferMaxBytes = 1024 * 1024;

    /// <param name="expectedBytes">About how long the event will be; a large event's buffer is sized by it.</param>
    public static ReadOnlyMemory<byte> Write(string id, string source, DateTimeOffset time, string? subject, string? traceParent, string? traceState,
        IEventData data, int expectedBytes)
    {
        if (expectedBytes > ReusedBufferMaxBytes)
        {
            var own = new ArrayBufferWriter<byte>(expectedBytes);
            using var ownWriter = new Utf8JsonWriter(own, Options);
            WriteEvent(ownWriter, id, source, time, subject, traceParent, traceState, data);
            return own.WrittenMemory;
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Options);
        writer.Reset(buffer);
        WriteEvent(writer, id, source, time, subject, traceParent, traceState, data);

        // Every byte is written over at once: zeroing the array first would be wasted (tens of KB an event).
        byte[] body = GC.AllocateUninitializedArray<byte>(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(body);
        if (buffer.Capacity > ReusedBufferMaxBytes)
        {
            // Do not let one event that outgrew its estimate pin a large buffer to this thread for good.
            t_buffer = null;
            t_writer = null;
        }

        return body;
    }

    private static void WriteEvent(Utf8JsonWriter writer, string id, string source, DateTimeOffset time, string? subject, string? traceParent,
        string? traceState, IEventData data)
    {
        writer.WriteStartObject();
        writer.WriteString("specversion", "1.0");
        writer.WriteString("id", id);
        writer.WriteString("source", source);
        writer.WriteString("type", data.Type);
        Span<char> timestamp = stackalloc char[24];
        time.UtcDateTime.TryFormat(timestamp, out int length, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteString("time", timestamp[..length]);
        if (subject is not null)
        {
            writer.WriteString("subject", subject);
        }

        writer.WriteString("datacontenttype", "application/json");
        if (traceParent is not null)
        {
            writer.WriteString("traceparent", traceParent);
            if (!string.IsNullOrEmpty(traceState))
            {
                writer.WriteString("tracestate", traceState);
            }
        }

        if (data.Recovery is { } recovery)
        {
            writer.WriteString("recovery", recovery);
        }

        writer.WritePropertyName("data");
        data.WriteTo(writer);
        writer.WriteEndObject();
        writer.Flush();
    }
}
