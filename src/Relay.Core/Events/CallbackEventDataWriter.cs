using System.Globalization;
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
    public static void WriteData(JsonBuffer json, CallbackEventData value)
    {
        var callback = value.Callback;
        json.StartObject();
        WriteString(json, "requestId"u8, callback.RequestId);
        WriteString(json, "conversationId"u8, callback.ConversationId);
        WriteString(json, "overallStatusCode"u8, callback.OverallStatusCode);
        WriteString(json, "statusCode"u8, callback.StatusCode);
        WriteString(json, "statusMessage"u8, callback.StatusMessage);
        WriteIntegerOrString(json, "errorCode"u8, callback.ErrorCode);
        WriteString(json, "requestType"u8, callback.RequestType);
        WriteString(json, "resultType"u8, callback.ResultType);
        WriteIntegerOrString(json, "sequenceCode"u8, callback.SequenceCode);

        json.Name("results"u8);
        var xml = callback.ResultDetailXmlUtf8(out byte[]? rented);
        string? resultDetailError;
        try
        {
            resultDetailError = ResultsJsonSink.WriteResults(json, xml, value.ResultDetailLimits);
            json.Name("resultDetailXml"u8);
            if (callback.HasResultDetailXml)
            {
                json.String(xml);
            }
            else
            {
                json.Null();
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
            WriteString(json, "resultDetailError"u8, error);
        }

        if (value.InvalidReason is { } reason)
        {
            WriteString(json, "invalidReason"u8, reason);
            var raw = value.RawBody.Span;
            json.Name("rawBody"u8);
            if (Utf8.IsValid(raw))
            {
                json.String(raw);
                json.Name("rawBodyEncoding"u8);
                json.String("utf-8"u8);
            }
            else
            {
                json.Base64String(raw);
                json.Name("rawBodyEncoding"u8);
                json.String("base64"u8);
            }
        }

        json.EndObject();
    }

    private static void WriteString(JsonBuffer json, ReadOnlySpan<byte> name, string? value)
    {
        json.Name(name);
        json.String(value);
    }

    private static void WriteIntegerOrString(JsonBuffer json, ReadOnlySpan<byte> name, string? value)
    {
        json.Name(name);
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
        {
            json.Number(number);
        }
        else
        {
            json.String(value);
        }
    }
}
