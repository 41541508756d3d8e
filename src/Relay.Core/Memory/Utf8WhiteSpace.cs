using System.Buffers;
using System.Text;

namespace Relay.Core.Memory;

/// <summary>Whether UTF-8 text is all white space, as <see cref="string.IsNullOrWhiteSpace"/> reads a string (Unicode's spaces too).</summary>
internal static class Utf8WhiteSpace
{
    private static readonly SearchValues<byte> Ascii = SearchValues.Create(" \t\n\r\v\f"u8);

    public static bool IsAll(ReadOnlySpan<byte> text)
    {
        int at = text.IndexOfAnyExcept(Ascii);
        if (at < 0)
        {
            return true;
        }

        if (text[at] < 0x80)
        {
            return false;
        }

        text = text[at..];
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(text, out var rune, out int consumed) != OperationStatus.Done || !Rune.IsWhiteSpace(rune))
            {
                return false;
            }

            text = text[consumed..];
        }

        return true;
    }
}
