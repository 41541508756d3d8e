using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Relay.Core.Events;

/// <summary>
/// Writes a long string value, escaping only what JSON requires: <c>"</c>, <c>\</c> and control
/// characters, with the runs between them copied whole. <see cref="Utf8JsonWriter"/>'s own escaping is slow
/// on values that need some, and ResultDetailXML quotes every attribute value: it was the larger part of
/// writing an event (docs/development/benchmarks.md has the measurements).
/// </summary>
internal static class LongJsonString
{
    private static readonly SearchValues<byte> MustEscape = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    // Longer values are written in pieces, by the writer's own escaping: slower on quotes, but no copy of
    // the whole value is made, which for a ResultDetailXML of megabytes would be two.
    private const int WholeMaxCharacters = 256 * 1024;
    private const int PieceBytes = 16 * 1024;

    public static void Write(Utf8JsonWriter writer, string propertyName, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(propertyName);
            return;
        }

        if (value.Length > WholeMaxCharacters)
        {
            WriteInPieces(writer, propertyName, value);
            return;
        }

        // Sized exactly: the maximum for UTF-16 is three bytes a character, and would rent from a bucket
        // three times larger for the ASCII that ResultDetailXML nearly always is.
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(value));
        byte[]? json = null;
        try
        {
            // Text that is not well-formed UTF-16 gets U+FFFD, as decoding it would anyway.
            ReadOnlySpan<byte> text = utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, utf8));
            json = ArrayPool<byte>.Shared.Rent(text.Length + (5 * Count(text)) + 2);
            int length = Escape(text, json);
            writer.WritePropertyName(propertyName);
            writer.WriteRawValue(json.AsSpan(0, length), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
            if (json is not null)
            {
                ArrayPool<byte>.Shared.Return(json);
            }
        }
    }

    private static void WriteInPieces(Utf8JsonWriter writer, string propertyName, string value)
    {
        writer.WritePropertyName(propertyName);
        byte[] piece = ArrayPool<byte>.Shared.Rent(PieceBytes);
        try
        {
            ReadOnlySpan<char> rest = value;
            while (true)
            {
                // Whole code points each time; ill-formed UTF-16 becomes U+FFFD, as in Write.
                Utf8.FromUtf16(rest, piece, out int read, out int written);
                rest = rest[read..];
                writer.WriteStringValueSegment(piece.AsSpan(0, written), isFinalSegment: rest.IsEmpty);
                if (rest.IsEmpty)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    private static int Count(ReadOnlySpan<byte> text)
    {
        int count = 0;
        int at;
        while ((at = text.IndexOfAny(MustEscape)) >= 0)
        {
            count++;
            text = text[(at + 1)..];
        }

        return count;
    }

    /// <summary>Writes the quoted, escaped string into <paramref name="json"/>; returns its length.</summary>
    private static int Escape(ReadOnlySpan<byte> text, Span<byte> json)
    {
        json[0] = (byte)'"';
        int written = 1;
        while (true)
        {
            int at = text.IndexOfAny(MustEscape);
            ReadOnlySpan<byte> run = at < 0 ? text : text[..at];
            run.CopyTo(json[written..]);
            written += run.Length;
            if (at < 0)
            {
                break;
            }

            byte b = text[at];
            json[written++] = (byte)'\\';
            switch (b)
            {
                case (byte)'"' or (byte)'\\':
                    json[written++] = b;
                    break;
                case (byte)'\n':
                    json[written++] = (byte)'n';
                    break;
                case (byte)'\r':
                    json[written++] = (byte)'r';
                    break;
                case (byte)'\t':
                    json[written++] = (byte)'t';
                    break;
                default:
                    json[written++] = (byte)'u';
                    json[written++] = (byte)'0';
                    json[written++] = (byte)'0';
                    json[written++] = "0123456789ABCDEF"u8[b >> 4];
                    json[written++] = "0123456789ABCDEF"u8[b & 0xF];
                    break;
            }

            text = text[(at + 1)..];
        }

        json[written++] = (byte)'"';
        return written;
    }
}
