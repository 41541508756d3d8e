using System.Buffers;
using System.Text.Json;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class LongJsonStringTests
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
    public void Write_AValueLongEnoughToBeWrittenInPieces_ReadsBackAsTheSameString(int shift)
    {
        // Over 256 Ki characters, with quotes, controls, pairs and three-byte characters across the pieces.
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

    private static byte[] Write(string? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            LongJsonString.Write(writer, "v", value);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
