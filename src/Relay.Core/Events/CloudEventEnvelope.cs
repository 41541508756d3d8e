using System.Text.Json;

namespace Relay.Events;

/// <summary>
/// The envelope attributes of an archived event that a replay filters on, read from its JSON without
/// decoding <c>data</c>, which is skipped whole.
/// </summary>
public readonly record struct CloudEventEnvelope(string Id, DateTimeOffset Time, string? Subject)
{
    public static bool TryRead(ReadOnlySpan<byte> json, out CloudEventEnvelope envelope)
    {
        envelope = default;
        string? id = null;
        string? subject = null;
        DateTimeOffset? time = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    reader.Read();
                    time = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value) ? value : null;
                }
                else if (reader.ValueTextEquals("subject"u8))
                {
                    subject = ReadString(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (id is null || time is null)
        {
            return false;
        }

        envelope = new CloudEventEnvelope(id, time.Value, subject);
        return true;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }
}
