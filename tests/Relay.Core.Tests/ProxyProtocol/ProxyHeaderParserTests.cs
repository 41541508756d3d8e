using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using Relay.Core.ProxyProtocol;

namespace Relay.ProxyProtocol;

/// <summary>The PROXY protocol header parser: versions 1 and 2, byte by byte, and everything it refuses.</summary>
public sealed class ProxyHeaderParserTests
{
    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n", "192.0.2.7", 56324)]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 1 65535\r\n", "2001:db8::7", 1)]
    [InlineData("PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n", "0.0.0.0", 0)]
    public void Version1_NamesTheClient_AndLeavesTheClientsBytes(string line, string client, int port)
    {
        byte[] input = [.. Encoding.ASCII.GetBytes(line), 0x16, 0x03, 0x01];
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(input, out var header, out int consumed, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(client), port), header!.Client);
        Assert.Equal(1, header.Version);
        Assert.Equal(line.Length, consumed);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 56324\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 56324 443 9\r\n")]
    [InlineData("PROXY TCP4 192.0.2 10.0.0.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 2001:db8::7 10.0.0.1 56324 443\r\n")]
    [InlineData("PROXY TCP6 192.0.2.7 2001:db8::1 56324 443\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 65536 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 0443 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 -1 443\r\n")]
    [InlineData("PROXY TCP4  192.0.2.7 10.0.0.1 1 443\r\n")]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN 192.0.2.7 10.0.0.1 1 443\r\n")]
    [InlineData("PROXY UDP4 192.0.2.7 10.0.0.1 1 443\r\n")]
    [InlineData("PROXY tcp4 192.0.2.7 10.0.0.1 1 443\r\n")]
    [InlineData("proxy TCP4 192.0.2.7 10.0.0.1 1 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 1 443\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    public void Version1_RefusesWhatIsNotAWellFormedTcpLine(string input)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.TryParse(Encoding.Latin1.GetBytes(input), out var header, out _, out string? problem));
        Assert.Null(header);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Version1_LongerThan107Bytes_IsRefused_WithoutWaitingForItsEnd()
    {
        byte[] input = Encoding.ASCII.GetBytes("PROXY TCP6 " + new string('a', 100));
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.TryParse(input, out _, out _, out string? problem));
        Assert.Contains("107", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Version2_NamesTheClient_SkipsTlvs_AndLeavesTheClientsBytes()
    {
        byte[] tlvs = [0x01, 0x00, 0x02, (byte)'h', (byte)'2', 0x04, 0x00, 0x00];
        byte[] header = V2(0x21, 0x11, [.. Addresses4(IPAddress.Parse("192.0.2.7"), 56324), .. tlvs]);
        byte[] input = [.. header, 0x16, 0x03, 0x01];
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(input, out var parsed, out int consumed, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 56324), parsed!.Client);
        Assert.Equal(header.Length, consumed);

        byte[] v6 = V2(0x21, 0x21, Addresses6(IPAddress.Parse("2001:db8::7"), 9));
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(v6, out parsed, out _, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 9), parsed!.Client);
    }

    [Fact]
    public void Version2_Local_IsTheProxysOwnConnection_WhateverItsBlock()
    {
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(V2(0x20, 0x00, []), out var header, out int consumed, out _));
        Assert.True(header!.IsLocal);
        Assert.Equal(16, consumed);
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(V2(0x20, 0x31, new byte[216]), out header, out consumed, out _));
        Assert.True(header!.IsLocal);
        Assert.Equal(232, consumed);
    }

    public static TheoryData<byte[]> RefusedVersion2() => new()
    {
        V2(0x21, 0x00, []),                                         // PROXY with UNSPEC
        V2(0x21, 0x31, new byte[216]),                              // UNIX stream
        V2(0x21, 0x32, new byte[216]),                              // UNIX datagram
        V2(0x21, 0x12, new byte[12]),                               // UDP over IPv4
        V2(0x21, 0x22, new byte[36]),                               // UDP over IPv6
        V2(0x21, 0x41, new byte[12]),                               // an unknown family
        V2(0x21, 0x11, new byte[11]),                               // an IPv4 block too short
        V2(0x21, 0x21, new byte[35]),                               // an IPv6 block too short
        V2(0x11, 0x11, new byte[12]),                               // version 1 in binary
        V2(0x22, 0x11, new byte[12]),                               // command 2
        V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x05, 0x00]), // a TLV past the block
        V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00]),              // half a TLV
        V2(0x21, 0x11, new byte[ProxyHeaderParser.MaxHeaderBytes]), // oversized
    };

    [Theory]
    [MemberData(nameof(RefusedVersion2))]
    public void Version2_RefusesOtherFamiliesCommandsAndVersions_BadTlvs_AndOversizedHeaders(byte[] input)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.TryParse(input, out var header, out int consumed, out string? problem));
        Assert.Null(header);
        Assert.Equal(0, consumed);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void AnOversizedVersion2Header_IsRefusedFromItsPreamble_BeforeItsBody()
    {
        byte[] preamble = V2(0x21, 0x11, new byte[60_000])[..16];
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.TryParse(preamble, out _, out _, out _));
    }

    public static TheoryData<byte[]> Headers() => new()
    {
        Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n"),
        V2(0x21, 0x11, [.. Addresses4(IPAddress.Parse("192.0.2.7"), 56324), 0x01, 0x00, 0x01, 0x41]),
        V2(0x21, 0x21, Addresses6(IPAddress.Parse("2001:db8::7"), 56324)),
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void AHeaderArrivingByteByByte_NeedsMoreUntilItsLastByte_AndSegmentsDoNotMatter(byte[] header)
    {
        for (int length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.NeedMore, ProxyHeaderParser.TryParse(header.AsSpan(0, length), out _, out _, out _));
        }

        // The same bytes as a sequence of one-byte segments, the client's bytes after them.
        byte[] input = [.. header, 0x16];
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.TryParse(Segmented(input), out var parsed, out int consumed, out _));
        Assert.Equal(header.Length, consumed);
        Assert.Equal(56324, parsed!.Client!.Port);
    }

    internal static byte[] V2(byte versionCommand, byte familyProtocol, byte[] block)
    {
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, versionCommand, familyProtocol, 0, 0, .. block];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)block.Length);
        return header;
    }

    private static byte[] Addresses4(IPAddress client, int port)
    {
        byte[] block = new byte[12];
        client.GetAddressBytes().CopyTo(block, 0);
        IPAddress.Parse("10.0.0.1").GetAddressBytes().CopyTo(block, 4);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(8), (ushort)port);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(10), 443);
        return block;
    }

    private static byte[] Addresses6(IPAddress client, int port)
    {
        byte[] block = new byte[36];
        client.GetAddressBytes().CopyTo(block, 0);
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(block, 16);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(32), (ushort)port);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(34), 443);
        return block;
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (int i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
