using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class JsonTextTests
{
    [Fact]
    public void EscapeMask_EveryByteInEveryPlace_AgreesWithWhatJsonRequires()
    {
        // The sixteen- and thirty-two-byte tests against the byte table they stand for (a text of one byte reads the table).
        byte[] copy = new byte[1];
        for (int b = 0; b < 256; b++)
        {
            bool escaped = b < 0x20 || b is '"' or '\\';
            Assert.Equal(!escaped, JsonText.TryCopyShort([(byte)b], ref copy[0]));
            for (int place = 0; place < 16; place++)
            {
                byte[] block = [.. Enumerable.Repeat((byte)'a', 16)];
                block[place] = (byte)b;

                Assert.Equal(escaped ? 1u << place : 0u, JsonText.EscapeMask(Vector128.Create(block)));
            }

            for (int place = 0; place < 32; place++)
            {
                byte[] block = [.. Enumerable.Repeat((byte)'a', 32)];
                block[place] = (byte)b;

                Assert.Equal(escaped ? 1u << place : 0u, JsonText.EscapeMask(Vector256.Create(block)));
            }
        }
    }

    [Fact]
    public void WriteQuoted_EscapesAtEveryPlaceAroundTheBlocks_MatchesAByteAtATimeEscape()
    {
        byte[] escapes = [(byte)'"', (byte)'\\', (byte)'\n', (byte)'\r', (byte)'\t', 0x00, 0x01, 0x1F];
        for (int length = 0; length <= 100; length++)
        {
            for (int place = 0; place < length; place++)
            {
                foreach (byte escape in escapes)
                {
                    byte[] text = Encoding.ASCII.GetBytes(new string('x', length));
                    text[place] = escape;
                    if (place + 17 < length)
                    {
                        text[place + 17] = (byte)'"'; // a second one in the next block of sixteen
                    }

                    if (place + 33 < length)
                    {
                        text[place + 33] = (byte)'\\'; // and of thirty-two
                    }

                    AssertEscapedAsReference(text);
                }
            }
        }
    }

    [Fact]
    public void TryCopyShort_EveryLengthWithAnEscapeAtEveryPlace_CopiesItAllAndTellsWhetherAnyNeedsEscaping()
    {
        byte[] escapes = [(byte)'"', (byte)'\\', (byte)'\n', 0x00, 0x1F];
        for (int length = 0; length <= JsonText.ShortText; length++)
        {
            for (int place = -1; place < length; place++)
            {
                foreach (byte escape in place < 0 ? escapes[..1] : escapes)
                {
                    // Every byte different from its neighbours, some of them past ASCII, so a misplaced byte shows.
                    byte[] text = [.. Enumerable.Range(0, length).Select(i => (byte)(i % 3 == 2 ? 0xE6 + (i % 5) : 'a' + (i % 26)))];
                    if (place >= 0)
                    {
                        text[place] = escape;
                    }

                    byte[] to = [.. Enumerable.Repeat((byte)0xEE, length + 1)];

                    bool plain = JsonText.TryCopyShort(text, ref to[0]);

                    Assert.Equal(place < 0, plain);
                    Assert.Equal(text, to[..length]);
                    Assert.Equal(0xEE, to[length]);
                }
            }
        }
    }

    [Fact]
    public void WriteQuoted_RandomTextIncludingUtf8_MatchesAByteAtATimeEscape_InAnExactlySizedBuffer()
    {
        var random = new Random(25);
        string alphabet = "abc <>=\"\\/\n\r\t\u0001\u001fé日😀";
        for (int round = 0; round < 2000; round++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 200);
            for (int i = 0; i < length; i++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            // Only whole characters: '😀' is two chars; a lone half would not be UTF-8.
            byte[] utf8 = Encoding.UTF8.GetBytes(text.ToString().Replace("\ud83d", "", StringComparison.Ordinal).Replace("\ude00", "", StringComparison.Ordinal));
            AssertEscapedAsReference(utf8);
        }
    }

    [Fact]
    public void TryWriteQuoted_EveryBufferSize_SucceedsExactlyWhenTheEscapedTextFits()
    {
        byte[][] texts =
        [
            [],
            "plain"u8.ToArray(),
            Encoding.ASCII.GetBytes(new string('x', 70) + "\"" + new string('y', 40)),
            Encoding.ASCII.GetBytes("\u0001" + new string('x', 33) + "\\\n" + new string('z', 17) + "\u001f"),
            Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("日\"a\tb\u0002", 12))),
        ];
        foreach (byte[] text in texts)
        {
            byte[] expected = Reference(text);
            for (int size = 0; size <= expected.Length + 2; size++)
            {
                byte[] json = new byte[size];

                bool fits = JsonText.TryWriteQuoted(text, json, out int written);

                Assert.Equal(size >= expected.Length, fits);
                if (fits)
                {
                    Assert.Equal(expected, json[..written]);
                }
            }
        }
    }

    [Fact]
    public void WriteQuoted_ABufferTooSmall_ThrowsInsteadOfWritingPastIt()
    {
        byte[] text = Encoding.ASCII.GetBytes(new string('"', 40));

        var thrown = Record.Exception(() => JsonText.WriteQuoted(text, new byte[text.Length + 2]));

        Assert.True(thrown is IndexOutOfRangeException or ArgumentOutOfRangeException, $"{thrown}");
    }

    private static void AssertEscapedAsReference(byte[] text)
    {
        byte[] expected = Reference(text);
        int escapes = JsonText.CountEscapes(text);
        byte[] json = new byte[text.Length + (5 * escapes) + 2];

        int written = JsonText.WriteQuoted(text, json);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(json, 0, written));
        Assert.Equal(Encoding.UTF8.GetString(text), JsonDocument.Parse(json.AsMemory(0, written)).RootElement.GetString());
        Assert.Equal(text.Count(b => b < 0x20 || b is (byte)'"' or (byte)'\\'), escapes);
    }

    /// <summary>JSON's escaping of a text, a byte at a time.</summary>
    internal static byte[] Reference(byte[] text)
    {
        var json = new List<byte> { (byte)'"' };
        foreach (byte b in text)
        {
            json.AddRange(b switch
            {
                (byte)'"' => "\\\""u8.ToArray(),
                (byte)'\\' => "\\\\"u8.ToArray(),
                (byte)'\n' => "\\n"u8.ToArray(),
                (byte)'\r' => "\\r"u8.ToArray(),
                (byte)'\t' => "\\t"u8.ToArray(),
                < 0x20 => Encoding.ASCII.GetBytes($"\\u{b:X4}"),
                _ => [b],
            });
        }

        json.Add((byte)'"');
        return [.. json];
    }
}
