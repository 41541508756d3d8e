using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Relay.Core.Events;

/// <summary>
/// JSON's escaping of a string, as Relay writes it: only what JSON requires (<c>"</c>, <c>\</c>, control
/// characters), the runs between copied whole. The text is valid UTF-8 (the form reader checked it), and
/// the event is never embedded in HTML, so the rest stays as it is.
/// </summary>
internal static class JsonText
{
    // 1 for the bytes JSON requires escaped: control characters, '"' and '\\'. The one definition: the
    // vectorized search for long text is made from it, the lookup a byte for short text reads it.
    private static ReadOnlySpan<byte> EscapedBytes =>
    [
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    private static readonly SearchValues<byte> MustEscape = SearchValues.Create(
        [.. Enumerable.Range(0, 256).Where(b => EscapedBytes[b] != 0).Select(b => (byte)b)]);

    /// <summary>Where the first byte that needs escaping is in a short text, or -1: a byte at a time, which for a few bytes beats a vectorized search's start.</summary>
    public static int IndexOfEscape(ReadOnlySpan<byte> shortText)
    {
        ref byte escapes = ref MemoryMarshal.GetReference(EscapedBytes);
        for (int i = 0; i < shortText.Length; i++)
        {
            if (Unsafe.Add(ref escapes, shortText[i]) != 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>How many bytes of <paramref name="text"/> need escaping: the quoted string is at most 5 bytes longer for each.</summary>
    public static int CountEscapes(ReadOnlySpan<byte> text)
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
    public static int WriteQuoted(ReadOnlySpan<byte> text, Span<byte> json)
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
