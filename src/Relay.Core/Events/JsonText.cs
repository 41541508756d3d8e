using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Relay.Core.Events;

/// <summary>
/// JSON's escaping of a string, as Relay writes it: only what JSON requires (<c>"</c>, <c>\</c>, control
/// characters), the runs between copied whole. The text is valid UTF-8 (the form reader checked it), and
/// the event is never embedded in HTML, so the rest stays as it is.
/// </summary>
internal static class JsonText
{
    // 1 for the bytes JSON requires escaped: control characters, '"' and '\\'. The definition: text of up to three
    // bytes and the tails of long text look a byte up in it, and the sixteen-byte test (EscapeMask) is held to it by tests.
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

    /// <summary>The longest text <see cref="TryCopyShort"/> takes.</summary>
    public const int ShortText = 32;

    /// <summary>
    /// Copies a text of at most <see cref="ShortText"/> bytes to <paramref name="to"/>, which has room for
    /// it, and says whether none of its bytes needs escaping (when one does, <paramref name="to"/> holds the
    /// copy all the same, to be written over). No call and no loop past three bytes: two overlapping loads
    /// cover the text, are tested and stored whole, for the hundreds of names and short values of a callback.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryCopyShort(ReadOnlySpan<byte> text, ref byte to)
    {
        Debug.Assert(text.Length <= ShortText);
        ref byte from = ref MemoryMarshal.GetReference(text);
        int length = text.Length;
        if (length >= 16)
        {
            var head = Vector128.LoadUnsafe(ref from);
            var tail = Vector128.LoadUnsafe(ref from, (nuint)(length - 16));
            head.StoreUnsafe(ref to);
            tail.StoreUnsafe(ref to, (nuint)(length - 16));
            return (EscapeMask(head) | EscapeMask(tail)) == 0;
        }

        if (length >= 8)
        {
            ulong head = Unsafe.ReadUnaligned<ulong>(ref from);
            ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, length - 8));
            Unsafe.WriteUnaligned(ref to, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 8), tail);
            return EscapeMask(Vector128.Create(head, tail).AsByte()) == 0;
        }

        if (length >= 4)
        {
            uint head = Unsafe.ReadUnaligned<uint>(ref from);
            uint tail = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, length - 4));
            Unsafe.WriteUnaligned(ref to, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 4), tail);
            return (EscapeMask(Vector128.CreateScalar(((ulong)tail << 32) | head).AsByte()) & 0xFF) == 0;
        }

        ref byte escapes = ref MemoryMarshal.GetReference(EscapedBytes);
        int escaped = 0;
        for (int i = 0; i < length; i++)
        {
            byte b = Unsafe.Add(ref from, i);
            Unsafe.Add(ref to, i) = b;
            escaped |= Unsafe.Add(ref escapes, b);
        }

        return escaped == 0;
    }

    /// <summary>How many bytes of <paramref name="text"/> need escaping: the quoted string is at most 5 bytes longer for each.</summary>
    public static int CountEscapes(ReadOnlySpan<byte> text)
    {
        ref byte start = ref MemoryMarshal.GetReference(text);
        int count = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; text.Length - i >= Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                count += BitOperations.PopCount(EscapeMask(Vector256.LoadUnsafe(ref start, (nuint)i)));
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; text.Length - i >= Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                count += BitOperations.PopCount(EscapeMask(Vector128.LoadUnsafe(ref start, (nuint)i)));
            }
        }

        ref byte escapes = ref MemoryMarshal.GetReference(EscapedBytes);
        for (; i < text.Length; i++)
        {
            count += Unsafe.Add(ref escapes, Unsafe.Add(ref start, i));
        }

        return count;
    }

    /// <summary>
    /// Writes the quoted, escaped string into <paramref name="json"/>, which must have room for it (the text,
    /// five more bytes for each of <see cref="CountEscapes"/>, the quotes); returns its length.
    /// </summary>
    public static int WriteQuoted(ReadOnlySpan<byte> text, Span<byte> json) =>
        TryWriteQuoted(text, json, out int written)
            ? written
            : throw new ArgumentOutOfRangeException(nameof(json), "The buffer has no room for the escaped text.");

    /// <summary>
    /// Writes the quoted, escaped string into <paramref name="json"/> and says whether it had room (when not,
    /// part of it is written over). Sixteen bytes a step (thirty-two where the processor has AVX2): each block
    /// is copied whole, and where one holds a byte to escape, the text goes on after it.
    /// </summary>
    public static bool TryWriteQuoted(ReadOnlySpan<byte> text, Span<byte> json, out int written)
    {
        written = 0;
        if (json.IsEmpty)
        {
            return false;
        }

        json[0] = (byte)'"';
        int at = 1;
        int i = 0;
        ref byte from = ref MemoryMarshal.GetReference(text);
        ref byte to = ref MemoryMarshal.GetReference(json);
        if (Vector256.IsHardwareAccelerated)
        {
            while (text.Length - i >= Vector256<byte>.Count && json.Length - at >= Vector256<byte>.Count)
            {
                var block = Vector256.LoadUnsafe(ref from, (nuint)i);
                uint escapes = EscapeMask(block);
                block.StoreUnsafe(ref to, (nuint)at);
                if (escapes == 0)
                {
                    i += Vector256<byte>.Count;
                    at += Vector256<byte>.Count;
                    continue;
                }

                int run = BitOperations.TrailingZeroCount(escapes);
                at += run;
                if (!TryWriteEscape(Unsafe.Add(ref from, i + run), json, ref at))
                {
                    return false;
                }

                i += run + 1;
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            // A block is stored only where json has room for it, whatever the caller gave.
            while (text.Length - i >= Vector128<byte>.Count && json.Length - at >= Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref from, (nuint)i);
                uint escapes = EscapeMask(block);
                block.StoreUnsafe(ref to, (nuint)at);
                if (escapes == 0)
                {
                    i += Vector128<byte>.Count;
                    at += Vector128<byte>.Count;
                    continue;
                }

                int run = BitOperations.TrailingZeroCount(escapes);
                at += run;
                if (!TryWriteEscape(Unsafe.Add(ref from, i + run), json, ref at))
                {
                    return false;
                }

                i += run + 1;
            }
        }

        ref byte table = ref MemoryMarshal.GetReference(EscapedBytes);
        for (; i < text.Length; i++)
        {
            byte b = Unsafe.Add(ref from, i);
            if (Unsafe.Add(ref table, b) != 0)
            {
                if (!TryWriteEscape(b, json, ref at))
                {
                    return false;
                }
            }
            else if (at < json.Length)
            {
                json[at++] = b;
            }
            else
            {
                return false;
            }
        }

        if (at == json.Length)
        {
            return false;
        }

        json[at++] = (byte)'"';
        written = at;
        return true;
    }

    // What the table gives 1, sixteen (or thirty-two) bytes at once: control characters, '"' and '\\'. Tests
    // hold the table and both equal.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint EscapeMask(Vector128<byte> b) =>
        (Vector128.LessThan(b, Vector128.Create((byte)0x20))
        | Vector128.Equals(b, Vector128.Create((byte)'"'))
        | Vector128.Equals(b, Vector128.Create((byte)'\\'))).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint EscapeMask(Vector256<byte> b) =>
        (Vector256.LessThan(b, Vector256.Create((byte)0x20))
        | Vector256.Equals(b, Vector256.Create((byte)'"'))
        | Vector256.Equals(b, Vector256.Create((byte)'\\'))).ExtractMostSignificantBits();

    // An escape, when json has room for it at 'at': two bytes, or six for \u00XX.
    private static bool TryWriteEscape(byte b, Span<byte> json, ref int at)
    {
        var to = json[at..];
        byte shortForm = b switch
        {
            (byte)'"' or (byte)'\\' => b,
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            _ => 0,
        };
        if (to.Length < (shortForm != 0 ? 2 : 6))
        {
            return false;
        }

        to[0] = (byte)'\\';
        if (shortForm != 0)
        {
            to[1] = shortForm;
            at += 2;
            return true;
        }

        to[1] = (byte)'u';
        to[2] = (byte)'0';
        to[3] = (byte)'0';
        to[4] = "0123456789ABCDEF"u8[b >> 4];
        to[5] = "0123456789ABCDEF"u8[b & 0xF];
        at += 6;
        return true;
    }
}
