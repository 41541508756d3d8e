using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Relay.Core.Callbacks;

/// <summary>The characters XML 1.0 (fifth edition) allows in names and documents, for <see cref="Utf8XmlScanner"/>.</summary>
internal static class XmlNames
{
    // Control characters other than tab, line feed and carriage return are no XML characters. An ASCII set:
    // its search is vectorized, where one with a byte past ASCII in it is not.
    private static readonly SearchValues<byte> Controls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(b => b is not (0x09 or 0x0A or 0x0D)).Select(b => (byte)b)]);

    // 0: no name byte; 1: a name byte that may start a name; 2: one that may not (digits, '-', '.'); 3: past ASCII.
    private static ReadOnlySpan<byte> NameBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    ];

    /// <summary>
    /// The length of the run of ASCII name bytes at the start of <paramref name="text"/>; it stops at a byte past
    /// ASCII. <paramref name="hasColon"/> says whether a ':' is in the run: a prefix, most names have none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int AsciiNameLength(ReadOnlySpan<byte> text, out bool hasColon)
    {
        // The scanner's most frequent step: sixteen bytes classified at once, so that a name is one step and
        // not a branch a byte; the table goes on where fewer than sixteen bytes are left.
        ref byte start = ref MemoryMarshal.GetReference(text);
        int i = 0;
        uint colons = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            while (text.Length - i >= Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                uint stops = ~IsAsciiNameByte(block).ExtractMostSignificantBits() & 0xFFFF;
                colons |= Vector128.Equals(block, Vector128.Create((byte)':')).ExtractMostSignificantBits() & (stops - 1) & ~stops;
                if (stops != 0)
                {
                    hasColon = colons != 0;
                    return i + BitOperations.TrailingZeroCount(stops);
                }

                i += Vector128<byte>.Count;
            }
        }

        ref byte kinds = ref MemoryMarshal.GetReference(NameBytes);
        byte b;
        while (i < text.Length && Unsafe.Add(ref kinds, b = Unsafe.Add(ref start, i)) - 1u <= 1u)
        {
            colons |= b == ':' ? 1u : 0u;
            i++;
        }

        hasColon = colons != 0;
        return i;
    }

    // Letters, digits, '_', ':', '.' and '-': what NameBytes gives 1 or 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> IsAsciiNameByte(Vector128<byte> b) =>
        Vector128.LessThan((b | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a'), Vector128.Create((byte)26))
        | Vector128.LessThan(b - Vector128.Create((byte)'0'), Vector128.Create((byte)11)) // '0'-'9' and ':'
        | Vector128.LessThan(b - Vector128.Create((byte)'-'), Vector128.Create((byte)2)) // '-' and '.'
        | Vector128.Equals(b, Vector128.Create((byte)'_'));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    /// <summary>Whether a name's first character may start one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNameStart(ReadOnlySpan<byte> name)
    {
        byte first = name[0];
        if (first < 0x80)
        {
            return NameBytes[first] == 1;
        }

        Rune.DecodeFromUtf8(name, out var rune, out _);
        return IsNameCharacter(rune, start: true);
    }

    /// <summary>Whether a character past ASCII may be in a name (or start one).</summary>
    public static bool IsNameCharacter(Rune rune, bool start)
    {
        int c = rune.Value;
        bool startCharacter = c is (>= 0xC0 and <= 0xD6) or (>= 0xD8 and <= 0xF6) or (>= 0xF8 and <= 0x2FF) or (>= 0x370 and <= 0x37D)
            or (>= 0x37F and <= 0x1FFF) or (>= 0x200C and <= 0x200D) or (>= 0x2070 and <= 0x218F) or (>= 0x2C00 and <= 0x2FEF)
            or (>= 0x3001 and <= 0xD7FF) or (>= 0xF900 and <= 0xFDCF) or (>= 0xFDF0 and <= 0xFFFD) or (>= 0x10000 and <= 0xEFFFF);
        return startCharacter || (!start && c is 0xB7 or (>= 0x300 and <= 0x36F) or (>= 0x203F and <= 0x2040));
    }

    /// <summary>Whether a character may appear in an XML document at all.</summary>
    public static bool IsCharacter(int c) =>
        c is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF);

    /// <summary>The offset of the first byte of valid UTF-8 that is no XML character, or -1.</summary>
    public static int IndexOfNonCharacter(ReadOnlySpan<byte> utf8)
    {
        int control = utf8.IndexOfAny(Controls);

        // U+FFFE and U+FFFF are EF BF BE and EF BF BF: found by their lead byte, rare in any text.
        int offset = 0;
        int at;
        while ((at = utf8[offset..].IndexOf((byte)0xEF)) >= 0)
        {
            offset += at;
            if (offset + 2 < utf8.Length && utf8[offset + 1] == 0xBF && utf8[offset + 2] is 0xBE or 0xBF)
            {
                return control >= 0 ? Math.Min(control, offset) : offset;
            }

            offset++;
        }

        return control;
    }
}
