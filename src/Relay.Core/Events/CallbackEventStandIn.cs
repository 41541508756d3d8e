using System.Buffers;
using System.Text.Json;

namespace Relay.Core.Events;

/// <summary>
/// The small event published in place of one too large for the broker: the same id, routing key and
/// envelope, the callback's fields each cut to <see cref="MaxFieldCharacters"/>, without <c>results</c>,
/// <c>resultDetailXml</c> and <c>rawBody</c>, and <c>data.truncated: true</c>. The full event waits in
/// quarantine, where an operator can export or publish it again.
/// </summary>
public static class CallbackEventStandIn
{
    public const int MaxFieldCharacters = 1024;

    private static readonly HashSet<string> LeftOut = new(["results", "resultDetailXml", "rawBody", "rawBodyEncoding", "truncated"], StringComparer.Ordinal);

    public static CallbackEvent Create(CallbackEvent full)
    {
        ArgumentNullException.ThrowIfNull(full);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var reader = new Utf8JsonReader(full.Body.Span, new JsonReaderOptions { MaxDepth = 256 });
            reader.Read();
            writer.WriteStartObject();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                if (name == "data" && reader.TokenType == JsonTokenType.StartObject)
                {
                    writer.WritePropertyName(name);
                    WriteData(ref reader, writer);
                }
                else
                {
                    writer.WritePropertyName(name);
                    CopyCut(ref reader, writer);
                }
            }

            writer.WriteEndObject();
        }

        return full with { Body = buffer.WrittenMemory.ToArray() };
    }

    private static void WriteData(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (LeftOut.Contains(name))
            {
                reader.Skip();
                continue;
            }

            writer.WritePropertyName(name);
            CopyCut(ref reader, writer);
        }

        writer.WriteBoolean("truncated", true);
        writer.WriteEndObject();
    }

    /// <summary>Copies a value; a string is cut to its first <see cref="MaxFieldCharacters"/>, anything else nested becomes null.</summary>
    private static void CopyCut(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                string text = reader.GetString()!;
                writer.WriteStringValue(text.Length > MaxFieldCharacters ? text[..MaxFieldCharacters] : text);
                break;
            case JsonTokenType.Number:
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                writer.WriteNullValue();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
