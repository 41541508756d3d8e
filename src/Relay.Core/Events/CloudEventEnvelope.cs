using System.Text.Json;

namespace Relay.Core.Events;

/// <summary>
/// The envelope attributes of an event, read from its JSON without decoding <c>data</c> beyond the
/// callback's first fields (requestId, conversationId, overallStatusCode); the rest of it is skipped.
/// Replays filter on it, the outbox rebuilds its events' record from it, and reconciliation tells from it
/// which call an event reports.
/// </summary>
public readonly record struct CloudEventEnvelope(
    string Id,
    DateTimeOffset Time,
    string? Subject,
    string? Source = null,
    string? Type = null,
    string? Recovery = null,
    string? TraceParent = null,
    string? RequestId = null,
    string? ConversationId = null,
    string? OverallStatusCode = null)
{
    public static bool TryRead(ReadOnlySpan<byte> json, out CloudEventEnvelope envelope)
    {
        envelope = default;
        string? id = null, subject = null, source = null, type = null, recovery = null, traceParent = null;
        string? requestId = null, conversationId = null, status = null;
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
                else if (reader.ValueTextEquals("source"u8))
                {
                    source = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    type = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("recovery"u8))
                {
                    recovery = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("traceparent"u8))
                {
                    traceParent = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    ReadDataHead(ref reader, ref requestId, ref conversationId, ref status);
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

        envelope = new CloudEventEnvelope(id, time.Value, subject, source, type, recovery, traceParent, requestId, conversationId, status);
        return true;
    }

    private static void ReadDataHead(ref Utf8JsonReader reader, ref string? requestId, ref string? conversationId, ref string? status)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                requestId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("conversationId"u8))
            {
                conversationId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("overallStatusCode"u8))
            {
                status = ReadString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }
}
