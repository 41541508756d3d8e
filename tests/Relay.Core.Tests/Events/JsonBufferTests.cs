using System.Text;
using System.Text.Json;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class JsonBufferTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("<Results xsi:type=\"CreateResult\"><StatusCode>OK</StatusCode></Results>")]
    [InlineData("back\\slash \"quoted\" \\\"both\\\"")]
    [InlineData("line\nbreak\r\ttab\b\f\u0000\u001f end")]
    [InlineData("\"")]
    [InlineData("ends with a control character\u0001")]
    [InlineData("Grüße, 日本語, emoji 😀, U+2028 \u2028 and DEL \u007f")]
    public void Write_ReadsBackAsTheSameString(string value)
    {
        using var json = JsonDocument.Parse(Write(value));

        Assert.Equal(value, json.RootElement.GetProperty("v").GetString());
    }

    [Fact]
    public void Write_LongValueWithManyEscapes_ReadsBackAsTheSameString()
    {
        string value = string.Concat(Enumerable.Range(0, 2000).Select(i => $"<a k=\"{i}\">\\{(char)(i % 32)}</a>"));

        using var json = JsonDocument.Parse(Write(value));

        Assert.Equal(value, json.RootElement.GetProperty("v").GetString());
    }

    [Theory]
    [InlineData('\u0001', 10_000)]
    [InlineData('"', 20_000)]
    [InlineData('\n', 3)]
    public void Write_AValueThatNeedsMoreRoomThanAQuarterOfItsLength_IsCountedAndWrittenWhole(char escaped, int count)
    {
        // The first buffer holds the text and a quarter more (rounded up to the pool's sizes); these need more.
        string value = "a" + new string(escaped, count) + "z";

        using var json = JsonDocument.Parse(Write(value));

        Assert.Equal(value, json.RootElement.GetProperty("v").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Write_AValueOfMegabytes_ReadsBackAsTheSameString(int shift)
    {
        // Over 256 Ki characters, with quotes, controls, pairs and three-byte characters, past the buffer's first size.
        string value = new string('x', shift) + string.Concat(Enumerable.Range(0, 40_000).Select(i => $"<a k=\"{i}\">😀日\\{(char)(i % 32)}</a>"));

        using var json = JsonDocument.Parse(Write(value));

        Assert.True(value.Length > 256 * 1024);
        Assert.Equal(value, json.RootElement.GetProperty("v").GetString());
    }

    [Fact]
    public void Write_ALongValueWithALoneSurrogate_HasTheReplacementCharacter_AsAShortOneDoes()
    {
        string value = new string('x', 300_000) + "a\ud800b";

        using var json = JsonDocument.Parse(Write(value));

        Assert.Equal(new string('x', 300_000) + "a\ufffdb", json.RootElement.GetProperty("v").GetString());
    }

    [Fact]
    public void Write_Null_WritesNull()
    {
        using var json = JsonDocument.Parse(Write(null));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("v").ValueKind);
    }

    [Fact]
    public void Write_LoneSurrogate_BecomesTheReplacementCharacter()
    {
        using var json = JsonDocument.Parse(Write("a\ud800b"));

        Assert.Equal("a\ufffdb", json.RootElement.GetProperty("v").GetString());
    }

    [Fact]
    public void NamesAndStringsOfEveryLengthAroundTheShortPath_AreTheirQuotedEscapedText()
    {
        for (int length = 0; length <= JsonText.ShortText + 8; length++)
        {
            for (int place = -1; place < length; place++)
            {
                byte[] text = [.. Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26)))];
                if (place >= 0)
                {
                    text[place] = (byte)'"';
                }

                var json = new JsonBuffer(16);
                json.StartObject();
                json.Name("before"u8);
                json.String(text);
                json.Name([.. Enumerable.Range(0, length).Select(i => (byte)('A' + (i % 26)))]);
                json.String("after"u8);
                json.EndObject();

                string expectedName = new([.. Enumerable.Range(0, length).Select(i => (char)('A' + (i % 26)))]);
                Assert.Equal($"{{\"before\":{Encoding.UTF8.GetString(JsonTextTests.Reference(text))},\"{expectedName}\":\"after\"}}", Encoding.UTF8.GetString(json.Written));
            }
        }
    }

    [Fact]
    public void NumbersBase64RawAndTimes_AreWrittenAsJsonHasThem()
    {
        var json = new JsonBuffer(16);
        json.StartObject();
        json.Name("n"u8);
        json.Number(long.MinValue);
        json.Name("b"u8);
        json.Base64String([0xFF, 0xFE, 0x00, 0x41]);
        json.Name("r"u8);
        json.Raw("{\"x\":[1,2]}"u8);
        json.Name("t"u8);
        json.Timestamp(new DateTimeOffset(2026, 12, 7, 13, 4, 5, 6, TimeSpan.FromHours(1)));
        json.Name("e"u8);
        json.StartArray();
        json.Number(0);
        json.String("x"u8);
        json.EndArray();
        json.EndObject();

        Assert.Equal("""{"n":-9223372036854775808,"b":"//4AQQ==","r":{"x":[1,2]},"t":"2026-12-07T12:04:05.006Z","e":[0,"x"]}""",
            Encoding.UTF8.GetString(json.Written));
    }

    [Fact]
    public void Timestamp_IsTheRuntimesFormatOfTheUtcTime_ToTheMillisecond()
    {
        var random = new Random(25);
        DateTimeOffset[] times =
        [
            new(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
            new(2026, 12, 7, 0, 30, 0, 0, TimeSpan.FromHours(1)), new(2024, 2, 29, 23, 59, 59, 999, TimeSpan.FromHours(-14)),
            .. Enumerable.Range(0, 1000).Select(_ => new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.Zero)),
        ];
        foreach (var time in times)
        {
            var json = new JsonBuffer(16);

            json.Timestamp(time);

            Assert.Equal($"\"{time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)}\"",
                Encoding.UTF8.GetString(json.Written));
        }
    }

    [Fact]
    public void CutBack_ForgetsWhatWasWrittenSince_AndTheCommaThatWasDue()
    {
        var json = new JsonBuffer(16);
        json.StartObject();
        json.Name("a"u8);
        json.Number(1);
        var mark = json.Now;
        json.Name("b"u8);
        json.String(new string('x', 5000));
        json.CutBack(mark);
        json.Name("c"u8);
        json.Null();
        json.EndObject();

        Assert.Equal("""{"a":1,"c":null}""", Encoding.UTF8.GetString(json.Written));
    }

    private static byte[] Write(string? value)
    {
        var json = new JsonBuffer(16);
        json.StartObject();
        json.Name("v"u8);
        json.String(value);
        json.EndObject();
        return json.Written.ToArray();
    }
}
