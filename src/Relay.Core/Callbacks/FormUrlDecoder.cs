using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relay.Core.Callbacks;

/// <summary>
/// Strict application/x-www-form-urlencoded decoding of one name or value: '+' is a space, '%XX' a byte.
/// Unlike the lenient decoders in the framework, a broken '%' is reported rather than passed through,
/// so that a mangled callback is published as invalid with its raw body instead of silently altered.
/// </summary>
internal static class FormUrlDecoder
{
    private const int Block = 16;
    private const int WideBlock = 64;

    /// <summary>For each mask of eight places to keep, the shuffle that moves them to the front, in order.</summary>
    private static readonly ulong[] PackShuffles = BuildPackShuffles();

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (at least as long).</summary>
    /// <returns>The number of bytes written, or -1 when a '%' is not followed by two hexadecimal digits.</returns>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length, nameof(destination));
        int first = source.IndexOfAny((byte)'%', (byte)'+');
        if (first < 0)
        {
            source.CopyTo(destination);
            return source.Length;
        }

        source[..first].CopyTo(destination);
        int read = first;
        int written = first;
        if (Avx512Vbmi2.IsSupported && source.Length - read >= WideBlock + 2)
        {
            // The wide steps look two bytes back for a '%' whose digits start the step.
            while (read < 2)
            {
                if (!DecodeOne(source, destination, ref read, ref written))
                {
                    return -1;
                }
            }

            if (!TryDecodeWideBlocks(source, destination, ref read, ref written))
            {
                return -1;
            }
        }

        if (Ssse3.IsSupported && source.Length - read >= Block + 2 && !TryDecodeBlocks(source, destination, ref read, ref written))
        {
            return -1;
        }

        return DecodeScalar(source, destination, read, written);
    }

    /// <summary>A byte at a time from <paramref name="read"/>: the reference the blocks must agree with, and the tail.</summary>
    internal static int DecodeScalar(ReadOnlySpan<byte> source, Span<byte> destination, int read, int written)
    {
        int i = read;
        while (i < source.Length)
        {
            byte b = source[i];
            if (b == '%')
            {
                if (i + 2 >= source.Length)
                {
                    return -1;
                }

                int value = (Hex[source[i + 1]] << 4) + Hex[source[i + 2]];
                if (value < 0)
                {
                    return -1;
                }

                destination[written++] = (byte)value;
                i += 3;
            }
            else
            {
                destination[written++] = b == '+' ? (byte)' ' : b;
                i++;
            }
        }

        return written;
    }

    /// <summary>One '%XX' or one byte at <paramref name="read"/>; false when a '%' is not followed by two hexadecimal digits.</summary>
    private static bool DecodeOne(ReadOnlySpan<byte> source, Span<byte> destination, ref int read, ref int written)
    {
        byte b = source[read];
        if (b != '%')
        {
            destination[written++] = b == '+' ? (byte)' ' : b;
            read++;
            return true;
        }

        int value = read + 2 < source.Length ? (Hex[source[read + 1]] << 4) + Hex[source[read + 2]] : -1;
        if (value < 0)
        {
            return false;
        }

        destination[written++] = (byte)value;
        read += 3;
        return true;
    }

    /// <summary>
    /// Sixty-four bytes a step where the processor can compress a vector by a mask (AVX-512 VBMI2), while two
    /// more bytes follow the step: every place decoded as if a '%' started there, the '%' places take that
    /// byte, and the places one or two after a '%' (its digits; a '%' is never a digit, so every '%' starts
    /// an escape) are squeezed out in one instruction. The places before a step are read too, so a '%' at
    /// the end of one step takes its digits from the start of the next. <paramref name="read"/> is at least 2.
    /// The native build targets x86-64-v3, which has no AVX-512, and takes the sixteen-byte steps.
    /// </summary>
    /// <returns>False when a '%' is not followed by two hexadecimal digits.</returns>
    private static bool TryDecodeWideBlocks(ReadOnlySpan<byte> source, Span<byte> destination, ref int read, ref int written)
    {
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        var percentSign = Vector512.Create((byte)'%');
        int i = read;
        int w = written;
        while (source.Length - i >= WideBlock + 2)
        {
            var bytes = Vector512.LoadUnsafe(ref from, (nuint)i);
            var high = Vector512.LoadUnsafe(ref from, (nuint)(i + 1));
            var low = Vector512.LoadUnsafe(ref from, (nuint)(i + 2));
            var plain = Vector512.ConditionalSelect(Vector512.Equals(bytes, Vector512.Create((byte)'+')), Vector512.Create((byte)' '), bytes);
            var percent = Vector512.Equals(bytes, percentSign);
            var digits = Vector512.Equals(Vector512.LoadUnsafe(ref from, (nuint)(i - 1)), percentSign)
                | Vector512.Equals(Vector512.LoadUnsafe(ref from, (nuint)(i - 2)), percentSign);
            if ((percent | digits) == Vector512<byte>.Zero)
            {
                plain.StoreUnsafe(ref to, (nuint)w);
                i += WideBlock;
                w += WideBlock;
                continue;
            }

            if ((percent & ~(IsHexDigit(high) & IsHexDigit(low))) != Vector512<byte>.Zero)
            {
                return false;
            }

            var decoded = (HexValue(high) << 4) | HexValue(low);
            var value = Vector512.ConditionalSelect(percent, decoded, plain);
            Avx512Vbmi2.Compress(Vector512<byte>.Zero, ~digits, value).StoreUnsafe(ref to, (nuint)w);
            w += WideBlock - BitOperations.PopCount(digits.ExtractMostSignificantBits());
            i += WideBlock;
        }

        // The rest starts past the digits of a '%' in the last step's last two places.
        read = Unsafe.Add(ref from, i - 1) == '%' ? i + 2 : Unsafe.Add(ref from, i - 2) == '%' ? i + 1 : i;
        written = w;
        return true;
    }

    /// <summary>
    /// Sixteen bytes a step, while two more follow them (a '%' in the last places reads its digits beyond):
    /// every place decoded as if a '%' started there, the '%' places take that byte, and the digits after
    /// each '%' are squeezed out, eight places at a time, by a shuffle from a table. Percent-encoded XML has
    /// a '%' every few bytes, so a search from one to the next would cost more than this.
    /// </summary>
    /// <returns>False when a '%' is not followed by two hexadecimal digits.</returns>
    private static bool TryDecodeBlocks(ReadOnlySpan<byte> source, Span<byte> destination, ref int read, ref int written)
    {
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        ref ulong packs = ref MemoryMarshal.GetReference(PackShuffles);
        int i = read;
        int w = written;

        // Places at the start of the next block that are the digits of a '%' near the end of this one.
        uint carried = 0;
        while (source.Length - i >= Block + 2)
        {
            var bytes = Vector128.LoadUnsafe(ref from, (nuint)i);
            var high = Vector128.LoadUnsafe(ref from, (nuint)(i + 1));
            var low = Vector128.LoadUnsafe(ref from, (nuint)(i + 2));
            var percent = Vector128.Equals(bytes, Vector128.Create((byte)'%'));
            uint percents = percent.ExtractMostSignificantBits();
            if (percents == 0 && carried == 0)
            {
                var spaced = Vector128.ConditionalSelect(Vector128.Equals(bytes, Vector128.Create((byte)'+')), Vector128.Create((byte)' '), bytes);
                spaced.StoreUnsafe(ref to, (nuint)w);
                i += Block;
                w += Block;
                continue;
            }

            if ((percent & ~(IsHexDigit(high) & IsHexDigit(low))) != Vector128<byte>.Zero)
            {
                return false;
            }

            var decoded = (HexValue(high) << 4) | HexValue(low);
            var plain = Vector128.ConditionalSelect(Vector128.Equals(bytes, Vector128.Create((byte)'+')), Vector128.Create((byte)' '), bytes);
            var value = Vector128.ConditionalSelect(percent, decoded, plain);

            // A '%' whose digits are in this block's own places, or carried from the last block's end.
            uint digits = (percents << 1) | (percents << 2) | carried;
            uint kept = ~digits & 0xFFFF;
            carried = digits >> Block;

            uint lowKept = kept & 0xFF;
            uint highKept = kept >> 8;
            var lowHalf = Ssse3.Shuffle(value, Vector128.CreateScalarUnsafe(Unsafe.Add(ref packs, (int)lowKept)).AsByte());
            var highHalf = Ssse3.Shuffle(Sse2.ShiftRightLogical128BitLane(value, 8), Vector128.CreateScalarUnsafe(Unsafe.Add(ref packs, (int)highKept)).AsByte());
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, w), lowHalf.AsUInt64().ToScalar());
            w += BitOperations.PopCount(lowKept);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, w), highHalf.AsUInt64().ToScalar());
            w += BitOperations.PopCount(highKept);
            i += Block;
        }

        // The tail starts past the digits the last block's '%' already took.
        read = i + BitOperations.PopCount(carried);
        written = w;
        return true;
    }

    // The same tests, sixty-four bytes at once: see the sixteen-byte ones below.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> IsHexDigit(Vector512<byte> b) =>
        Vector512.LessThan(b - Vector512.Create((byte)'0'), Vector512.Create((byte)10))
        | Vector512.LessThan((b | Vector512.Create((byte)0x20)) - Vector512.Create((byte)'a'), Vector512.Create((byte)6));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> HexValue(Vector512<byte> b) =>
        (b & Vector512.Create((byte)0x0F))
        + (Vector512.Equals(b & Vector512.Create((byte)0x40), Vector512.Create((byte)0x40)) & Vector512.Create((byte)9));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> IsHexDigit(Vector128<byte> b) =>
        Vector128.LessThan(b - Vector128.Create((byte)'0'), Vector128.Create((byte)10))
        | Vector128.LessThan((b | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a'), Vector128.Create((byte)6));

    // '0'-'9' are their low four bits; 'A'-'F' and 'a'-'f' (0x40 set) their low four bits plus nine.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> HexValue(Vector128<byte> b) =>
        (b & Vector128.Create((byte)0x0F))
        + (Vector128.Equals(b & Vector128.Create((byte)0x40), Vector128.Create((byte)0x40)) & Vector128.Create((byte)9));

    private static ulong[] BuildPackShuffles()
    {
        var table = new ulong[256];
        for (int mask = 0; mask < 256; mask++)
        {
            ulong shuffle = 0;
            int slot = 0;
            for (int place = 0; place < 8; place++)
            {
                if ((mask & (1 << place)) != 0)
                {
                    shuffle |= (ulong)place << (8 * slot++);
                }
            }

            // Unused slots take 0x80: pshufb writes zero there, and the next half overwrites them anyway.
            for (; slot < 8; slot++)
            {
                shuffle |= 0x80UL << (8 * slot);
            }

            table[mask] = shuffle;
        }

        return table;
    }

    // A hexadecimal digit's value, or a negative number large enough that either digit being none makes
    // the pair's value negative ((-256 << 4) + 15 < 0, and (15 << 4) - 256 < 0).
    private static ReadOnlySpan<short> Hex =>
    [
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -256, -256, -256, -256, -256, -256,
        -256, 10, 11, 12, 13, 14, 15, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, 10, 11, 12, 13, 14, 15, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
        -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256, -256,
    ];
}
