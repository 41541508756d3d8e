using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Core.Memory;

namespace Relay.Core.Events;

/// <summary>
/// Writes the event's <c>data</c> in the documented order and shape: every field present (null when
/// empty), <c>errorCode</c> and <c>sequenceCode</c> as numbers when they are integers, and for an
/// invalid callback the reason and the raw body (as text when it is UTF-8, else base64).
/// </summary>
internal static class CallbackEventDataWriter
{
    public static void WriteData(Utf8JsonWriter writer, CallbackEventData value)
    {
        var callback = value.Callback;
        writer.WriteStartObject();
        writer.WriteString("requestId", callback.RequestId);
        writer.WriteString("conversationId", callback.ConversationId);
        writer.WriteString("overallStatusCode", callback.OverallStatusCode);
        writer.WriteString("statusCode", callback.StatusCode);
        writer.WriteString("statusMessage", callback.StatusMessage);
        WriteIntegerOrString(writer, "errorCode", callback.ErrorCode);
        writer.WriteString("requestType", callback.RequestType);
        writer.WriteString("resultType", callback.ResultType);
        WriteIntegerOrString(writer, "sequenceCode", callback.SequenceCode);

        writer.WritePropertyName("results");
        var xml = callback.ResultDetailXmlUtf8(out byte[]? rented);
        string? resultDetailError;
        try
        {
            resultDetailError = ResultsJsonSink.WriteResults(writer, xml, value.ResultDetailLimits);
            if (callback.HasResultDetailXml)
            {
                LongJsonString.Write(writer, "resultDetailXml"u8, xml);
            }
            else
            {
                writer.WriteNull("resultDetailXml"u8);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ByteBuffers.Return(rented);
            }
        }

        if (resultDetailError is { } error)
        {
            writer.WriteString("resultDetailError", error);
        }

        if (value.InvalidReason is { } reason)
        {
            writer.WriteString("invalidReason", reason);
            var raw = value.RawBody.Span;
            if (Utf8.IsValid(raw))
            {
                writer.WriteString("rawBody", raw);
                writer.WriteString("rawBodyEncoding", "utf-8");
            }
            else
            {
                writer.WriteBase64String("rawBody", raw);
                writer.WriteString("rawBodyEncoding", "base64");
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteIntegerOrString(Utf8JsonWriter writer, string name, string? value)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
