using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Relay.Core.ProxyProtocol;

/// <summary>
/// Reads the PROXY protocol header a TCP load balancer puts before the client's bytes
/// (haproxy.org/download/2.9/doc/proxy-protocol.txt), version 1 (one line of text, at most 107 bytes) or
/// 2 (binary, a 16-byte preamble and its length). Only what a TCP stream can carry is taken: TCP over IPv4
/// or IPv6, and version 2's LOCAL command; UNIX sockets, UDP and unknown families are refused, and so is
/// a header longer than <see cref="MaxHeaderBytes"/>. Version 2's TLVs are skipped, their lengths checked.
/// The parser is incremental: give it what has arrived, and it says whether to read more.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The longest version 2 header taken (its addresses and TLVs); longer ones are refused.</summary>
    public const int MaxHeaderBytes = 4096;

    /// <summary>The longest version 1 line, CRLF included (the specification's bound).</summary>
    public const int MaxV1Bytes = 107;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <param name="buffer">The connection's first bytes, as many as have arrived.</param>
    /// <param name="header">The header, when complete.</param>
    /// <param name="consumed">How many bytes the header takes, when complete: the client's own bytes follow.</param>
    /// <param name="problem">Why the bytes are not a header Relay takes, when invalid (never quoting them).</param>
    public static ProxyHeaderStatus TryParse(ReadOnlySequence<byte> buffer, out ProxyHeader? header, out int consumed, out string? problem)
    {
        // Headers are small: copy at most what one can take, so the rest works on a span.
        int length = (int)Math.Min(buffer.Length, MaxHeaderBytes + 16);
        Span<byte> first = length <= 512 ? stackalloc byte[length] : new byte[length];
        buffer.Slice(0, length).CopyTo(first);
        return TryParse(first, buffer.Length, out header, out consumed, out problem);
    }

    public static ProxyHeaderStatus TryParse(ReadOnlySpan<byte> buffer, out ProxyHeader? header, out int consumed, out string? problem) =>
        TryParse(buffer, buffer.Length, out header, out consumed, out problem);

    private static ProxyHeaderStatus TryParse(ReadOnlySpan<byte> buffer, long available, out ProxyHeader? header, out int consumed, out string? problem)
    {
        header = null;
        consumed = 0;
        problem = null;
        if (buffer.IsEmpty)
        {
            return ProxyHeaderStatus.NeedMore;
        }

        if (buffer[0] == V2Signature[0])
        {
            return ParseV2(buffer, available, out header, out consumed, out problem);
        }

        if (buffer[0] == V1Prefix[0])
        {
            return ParseV1(buffer, out header, out consumed, out problem);
        }

        problem = "the connection does not begin with a PROXY protocol header";
        return ProxyHeaderStatus.Invalid;
    }

    private static ProxyHeaderStatus ParseV1(ReadOnlySpan<byte> buffer, out ProxyHeader? header, out int consumed, out string? problem)
    {
        header = null;
        consumed = 0;
        problem = null;
        int prefix = Math.Min(buffer.Length, V1Prefix.Length);
        if (!buffer[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            problem = "the connection does not begin with a PROXY protocol header";
            return ProxyHeaderStatus.Invalid;
        }

        int end = buffer[..Math.Min(buffer.Length, MaxV1Bytes)].IndexOf("\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length >= MaxV1Bytes)
            {
                problem = $"a version 1 header longer than {MaxV1Bytes} bytes";
                return ProxyHeaderStatus.Invalid;
            }

            // A line is printable ASCII: anything else before its end cannot become one.
            foreach (byte b in buffer)
            {
                if (b is < 0x20 and not (byte)'\r' or > 0x7E)
                {
                    problem = "a version 1 header with a byte that is not printable ASCII";
                    return ProxyHeaderStatus.Invalid;
                }
            }

            return ProxyHeaderStatus.NeedMore;
        }

        var line = buffer[V1Prefix.Length..end];
        foreach (byte b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                problem = "a version 1 header with a byte that is not printable ASCII";
                return ProxyHeaderStatus.Invalid;
            }
        }

        string[] parts = Encoding.ASCII.GetString(line).Split(' ');
        if (parts.Length == 0 || parts[0] is not ("TCP4" or "TCP6"))
        {
            problem = parts.Length > 0 && parts[0] == "UNKNOWN"
                ? "a version 1 header for an UNKNOWN protocol"
                : "a version 1 header whose protocol is not TCP4, TCP6 or UNKNOWN";
            return ProxyHeaderStatus.Invalid;
        }

        var family = parts[0] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (parts.Length != 5 || !TryAddress(parts[1], family, out var source) || !TryAddress(parts[2], family, out _)
            || !TryPort(parts[3], out int sourcePort) || !TryPort(parts[4], out _))
        {
            problem = $"a version 1 {parts[0]} header without two addresses of its family and two ports, one space apart";
            return ProxyHeaderStatus.Invalid;
        }

        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort));
        consumed = end + 2;
        return ProxyHeaderStatus.Complete;
    }

    private static ProxyHeaderStatus ParseV2(ReadOnlySpan<byte> buffer, long available, out ProxyHeader? header, out int consumed, out string? problem)
    {
        header = null;
        consumed = 0;
        problem = null;
        int signature = Math.Min(buffer.Length, V2Signature.Length);
        if (!buffer[..signature].SequenceEqual(V2Signature[..signature]))
        {
            problem = "the connection does not begin with a PROXY protocol header";
            return ProxyHeaderStatus.Invalid;
        }

        if (buffer.Length < 16)
        {
            return ProxyHeaderStatus.NeedMore;
        }

        byte versionCommand = buffer[12];
        byte familyProtocol = buffer[13];
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer[14..16]);
        if (versionCommand >> 4 != 2)
        {
            problem = $"a binary header of version {versionCommand >> 4}, not 2";
            return ProxyHeaderStatus.Invalid;
        }

        int command = versionCommand & 0x0F;
        if (command > 1)
        {
            problem = $"a version 2 header with command {command}, neither LOCAL nor PROXY";
            return ProxyHeaderStatus.Invalid;
        }

        if (16 + length > MaxHeaderBytes)
        {
            problem = $"a version 2 header of {16 + length} bytes, over {MaxHeaderBytes}";
            return ProxyHeaderStatus.Invalid;
        }

        if (available < 16 + length || buffer.Length < 16 + length)
        {
            return ProxyHeaderStatus.NeedMore;
        }

        var block = buffer.Slice(16, length);
        consumed = 16 + length;
        if (command == 0)
        {
            // LOCAL: the proxy's own connection; whatever address block it has is ignored.
            header = new ProxyHeader(2, null);
            return ProxyHeaderStatus.Complete;
        }

        int addresses;
        IPEndPoint client;
        switch (familyProtocol)
        {
            case 0x11 when length >= 12:
                client = new IPEndPoint(new IPAddress(block[..4]), BinaryPrimitives.ReadUInt16BigEndian(block[8..10]));
                addresses = 12;
                break;
            case 0x21 when length >= 36:
                client = new IPEndPoint(new IPAddress(block[..16]), BinaryPrimitives.ReadUInt16BigEndian(block[32..34]));
                addresses = 36;
                break;
            case 0x11 or 0x21:
                problem = "a version 2 header whose address block is shorter than its family's addresses";
                consumed = 0;
                return ProxyHeaderStatus.Invalid;
            default:
                problem = (familyProtocol >> 4) switch
                {
                    0 => "a version 2 PROXY header of the UNSPEC family",
                    3 => "a version 2 header of a UNIX socket",
                    _ when (familyProtocol & 0x0F) == 2 => "a version 2 header of a UDP connection",
                    _ => $"a version 2 header of an unknown family or protocol (0x{familyProtocol.ToString("x2", CultureInfo.InvariantCulture)})",
                };
                consumed = 0;
                return ProxyHeaderStatus.Invalid;
        }

        // TLVs (type, 2-byte length, value) are skipped, but must fill the rest of the block exactly.
        var tlvs = block[addresses..];
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3 || 3 + BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..3]) > tlvs.Length)
            {
                problem = "a version 2 header whose TLVs overrun its length";
                consumed = 0;
                return ProxyHeaderStatus.Invalid;
            }

            tlvs = tlvs[(3 + BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..3]))..];
        }

        header = new ProxyHeader(2, client);
        return ProxyHeaderStatus.Complete;
    }

    private static bool TryAddress(string text, AddressFamily family, out IPAddress address) =>
        IPAddress.TryParse(text, out address!) && address.AddressFamily == family && !text.Contains('%', StringComparison.Ordinal)
        && (family == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);

    /// <summary>A port in decimal, 0 to 65535, without leading zeros (as the specification writes them).</summary>
    private static bool TryPort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }
}
