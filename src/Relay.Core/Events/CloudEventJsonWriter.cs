namespace Relay.Core.Events;

/// <summary>
/// Writes an event as a CloudEvents 1.0 JSON document in structured mode, straight into a reused buffer
/// (<see cref="JsonBuffer"/>), with no reflection and no intermediate stream: the event is most of a
/// callback's work. The CloudEvents SDK remains the consumers' reader and the tests' judge of what this
/// writes (docs/development/benchmarks.md, "What the profiles found and fixed", has the measurements).
/// </summary>
internal static class CloudEventJsonWriter
{
    [ThreadStatic]
    private static JsonBuffer? t_buffer;

    // Past this expected size an event gets a buffer of its own, which becomes its body without a copy.
    private const int ReusedBufferMaxBytes = 1024 * 1024;

    /// <param name="expectedBytes">About how long the event will be; a large event's buffer is sized by it.</param>
    public static ReadOnlyMemory<byte> Write(string id, string source, DateTimeOffset time, string? subject, string? traceParent, string? traceState,
        IEventData data, int expectedBytes)
    {
        if (expectedBytes > ReusedBufferMaxBytes)
        {
            var own = new JsonBuffer(expectedBytes);
            WriteEvent(own, id, source, time, subject, traceParent, traceState, data);
            return own.WrittenMemory;
        }

        var buffer = t_buffer ??= new JsonBuffer(16 * 1024);
        buffer.Clear();
        WriteEvent(buffer, id, source, time, subject, traceParent, traceState, data);

        // Every byte is written over at once: zeroing the array first would be wasted (tens of KB an event).
        byte[] body = GC.AllocateUninitializedArray<byte>(buffer.Written.Length);
        buffer.Written.CopyTo(body);
        if (buffer.Capacity > ReusedBufferMaxBytes)
        {
            // Do not let one event that outgrew its estimate pin a large buffer to this thread for good.
            t_buffer = null;
        }

        return body;
    }

    private static void WriteEvent(JsonBuffer json, string id, string source, DateTimeOffset time, string? subject, string? traceParent,
        string? traceState, IEventData data)
    {
        json.StartObject();
        json.Name("specversion"u8);
        json.String("1.0"u8);
        json.Name("id"u8);
        json.String(id);
        json.Name("source"u8);
        json.String(source);
        json.Name("type"u8);
        json.String(data.Type);
        json.Name("time"u8);
        json.Timestamp(time);
        if (subject is not null)
        {
            json.Name("subject"u8);
            json.String(subject);
        }

        json.Name("datacontenttype"u8);
        json.String("application/json"u8);
        if (traceParent is not null)
        {
            json.Name("traceparent"u8);
            json.String(traceParent);
            if (!string.IsNullOrEmpty(traceState))
            {
                json.Name("tracestate"u8);
                json.String(traceState);
            }
        }

        if (data.Recovery is { } recovery)
        {
            json.Name("recovery"u8);
            json.String(recovery);
        }

        json.Name("data"u8);
        data.WriteTo(json);
        json.EndObject();
    }
}
