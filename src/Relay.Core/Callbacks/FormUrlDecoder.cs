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
        for (int i = first; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == '+')
            {
                destination[written++] = (byte)' ';
            }
            else if (b == '%')
            {
                if (i + 2 >= source.Length)
                {
                    return -1;
                }

                int high = HexValue(source[i + 1]);
                int low = HexValue(source[i + 2]);
                if ((high | low) < 0)
                {
                    return -1;
                }

                destination[written++] = (byte)((high << 4) | low);
                i += 2;
            }
            else
            {
                destination[written++] = b;
            }
        }

        return written;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
