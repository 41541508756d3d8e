using System.Buffers;
using System.Text;
using System.Text.Json;
using Relay.Core.Memory;

namespace Relay.Core.Events;

/// <summary>
/// Writes a long string value, escaping only what JSON requires: <c>"</c>, <c>\</c> and control
/// characters, with the runs between them copied whole. <see cref="Utf8JsonWriter"/>'s own escaping is slow
/// on values that need some, and ResultDetailXML quotes every attribute value: it was the larger part of
/// writing an event (docs/development/benchmarks.md has the measurements).
/// </summary>
internal static class LongJsonString
{
    // Longer values are written in pieces, by the writer's own escaping: slower on quotes, but no escaped
    // copy of the whole value is made, which for a ResultDetailXML of megabytes would be one more.
    private const int WholeMaxBytes = 256 * 1024;
    private const int PieceBytes = 16 * 1024;

    /// <summary>Writes a string given as UTF-8 (which it must be, as the form reader checked).</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> propertyName, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > WholeMaxBytes)
        {
            WriteInPieces(writer, propertyName, utf8);
            return;
        }

        // Room for an escape in every fourth byte, far more than XML's quotes take, so that the text is read
        // once; only a text that needs more is counted, and written again into room for all it needs.
        byte[] json = ArrayPool<byte>.Shared.Rent(utf8.Length + (utf8.Length / 4) + 2);
        try
        {
            if (!JsonText.TryWriteQuoted(utf8, json, out int length))
            {
                var tooSmall = json;
                json = ArrayPool<byte>.Shared.Rent(utf8.Length + (5 * JsonText.CountEscapes(utf8)) + 2);
                ArrayPool<byte>.Shared.Return(tooSmall);
                length = JsonText.WriteQuoted(utf8, json);
            }

            writer.WritePropertyName(propertyName);
            writer.WriteRawValue(json.AsSpan(0, length), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    /// <summary>Writes a string, ill-formed UTF-16 in it as U+FFFD (as decoding it would make it anyway).</summary>
    public static void Write(Utf8JsonWriter writer, string propertyName, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(propertyName);
            return;
        }

        byte[] utf8 = ByteBuffers.Rent(Encoding.UTF8.GetByteCount(value));
        try
        {
            Write(writer, Encoding.UTF8.GetBytes(propertyName), utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, utf8)));
        }
        finally
        {
            ByteBuffers.Return(utf8);
        }
    }

    private static void WriteInPieces(Utf8JsonWriter writer, ReadOnlySpan<byte> propertyName, ReadOnlySpan<byte> utf8)
    {
        writer.WritePropertyName(propertyName);
        while (true)
        {
            // Whole code points each time: a piece never ends inside a character's bytes.
            int length = Math.Min(PieceBytes, utf8.Length);
            while (length < utf8.Length && (utf8[length] & 0xC0) == 0x80)
            {
                length--;
            }

            writer.WriteStringValueSegment(utf8[..length], isFinalSegment: length == utf8.Length);
            utf8 = utf8[length..];
            if (utf8.IsEmpty)
            {
                return;
            }
        }
    }
}
