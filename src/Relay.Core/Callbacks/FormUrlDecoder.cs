namespace Relay.Core.Callbacks;

/// <summary>
/// Strict application/x-www-form-urlencoded decoding of one name or value: '+' is a space, '%XX' a byte.
/// Unlike the lenient decoders in the framework, a broken '%' is reported rather than passed through,
/// so that a mangled callback is published as invalid with its raw body instead of silently altered.
/// </summary>
internal static class FormUrlDecoder
{
    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (at least as long).</summary>
    /// <returns>The number of bytes written, or -1 when a '%' is not followed by two hexadecimal digits.</returns>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int first = source.IndexOfAny((byte)'%', (byte)'+');
        if (first < 0)
        {
            source.CopyTo(destination);
            return source.Length;
        }

        source[..first].CopyTo(destination);
        int written = first;
        int i = first;
        while (i < source.Length)
        {
            // Percent-encoded XML escapes every few bytes: a byte at a time beats a search for each run.
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
