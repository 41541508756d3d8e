using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Core.Memory;

namespace Relay.Core.Reconciliation;

/// <summary>
/// The JSON of an expectation: <c>{"source": …, "requestId": …}</c> with optional <c>respondWhen</c>,
/// <c>conversationId</c>, <c>submittedAt</c> (RFC 3339) and <c>traceparent</c>. Read strictly (each
/// property once, strings only, bounded lengths, no control characters), because a producer's mistake must
/// be told to it rather than become an expectation nobody can fulfil; properties Relay does not know are
/// ignored, so producers can add their own.
/// </summary>
public static class ExpectationJson
{
    public const int MaxIdLength = 256;
    public const int MaxSourceLength = 63;
    private const int MaxDepth = 4;
    private const string NotUtf8 = "not UTF-8";

    /// <summary>Reads one expectation object.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out Expectation? expectation, [NotNullWhen(false)] out string? problem)
    {
        expectation = null;
        if (!Utf8.IsValid(json))
        {
            // The reader checks the JSON, not the UTF-8 in its strings, and reading those would throw
            // (fuzzing found it): a poison message that no attempt could ever read.
            problem = NotUtf8;
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            if (!TryReadObject(ref reader, out expectation, out problem))
            {
                return false;
            }

            if (reader.Read())
            {
                expectation = null;
                problem = "more than one JSON value";
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            expectation = null;
            problem = "not valid JSON: " + FirstLine(ex.Message);
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string that is well-formed JSON but no text (fuzzing found it): see JsonStrings.
            expectation = null;
            problem = JsonStrings.LoneSurrogate;
            return false;
        }
    }

    /// <summary>Reads one expectation object or an array of them; the problem names the first bad element.</summary>
    public static bool TryReadMany(ReadOnlySpan<byte> json, int maxCount, out List<Expectation> expectations, out string? problem)
    {
        expectations = [];
        if (!Utf8.IsValid(json))
        {
            problem = NotUtf8;
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                problem = "not a JSON object or array";
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (!TryReadObject(ref reader, out var one, out problem))
                {
                    return false;
                }

                expectations.Add(one!);
            }
            else
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        problem = $"[{expectations.Count}]: not a JSON object";
                        return false;
                    }

                    if (expectations.Count == maxCount)
                    {
                        problem = $"more than {maxCount} expectations in one request";
                        return false;
                    }

                    if (!TryReadObject(ref reader, out var next, out string? inner))
                    {
                        problem = $"[{expectations.Count}]: {inner}";
                        return false;
                    }

                    expectations.Add(next!);
                }
            }

            if (reader.Read())
            {
                problem = "more than one JSON value";
                return false;
            }

            problem = expectations.Count == 0 ? "no expectation in the array" : null;
            return expectations.Count > 0;
        }
        catch (JsonException ex)
        {
            problem = "not valid JSON: " + FirstLine(ex.Message);
            return false;
        }
        catch (InvalidOperationException)
        {
            expectations = [];
            problem = JsonStrings.LoneSurrogate;
            return false;
        }
    }

    /// <summary>The expectation as Relay puts it on the expectations queue.</summary>
    public static byte[] Write(Expectation expectation)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("source", expectation.Source);
            writer.WriteString("requestId", expectation.RequestId);
            WriteIfSet(writer, "respondWhen", expectation.RespondWhen);
            WriteIfSet(writer, "conversationId", expectation.ConversationId);
            if (expectation.SubmittedAt is { } submittedAt)
            {
                writer.WriteString("submittedAt", submittedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            }

            WriteIfSet(writer, "traceparent", expectation.TraceParent);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static bool TryReadObject(ref Utf8JsonReader reader, [NotNullWhen(true)] out Expectation? expectation, [NotNullWhen(false)] out string? problem)
    {
        expectation = null;
        string? source = null, requestId = null, respondWhen = null, conversationId = null, submitted = null, traceParent = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (!seen.Add(name))
            {
                problem = $"'{Shown(name)}' is given twice";
                return false;
            }

            reader.Read();
            // Each reader answers with its problem, if any; a name Relay does not know is skipped.
            _ = name switch
            {
                "source" => TryString(ref reader, name, out source, out problem),
                "requestId" => TryString(ref reader, name, out requestId, out problem),
                "respondWhen" => TryString(ref reader, name, out respondWhen, out problem),
                "conversationId" => TryString(ref reader, name, out conversationId, out problem),
                "submittedAt" => TryString(ref reader, name, out submitted, out problem),
                "traceparent" => TryString(ref reader, name, out traceParent, out problem),
                _ => Skip(ref reader, out problem),
            };
            if (problem is not null)
            {
                return false;
            }
        }

        return TryCreate(source, requestId, respondWhen, conversationId, submitted, traceParent, out expectation, out problem);
    }

    private static bool TryString(ref Utf8JsonReader reader, string name, out string? value, [NotNullWhen(false)] out string? problem)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        problem = reader.TokenType is JsonTokenType.String or JsonTokenType.Null ? null : $"'{name}' is not a string";
        return problem is null;
    }

    private static bool Skip(ref Utf8JsonReader reader, [NotNullWhen(false)] out string? problem)
    {
        reader.Skip();
        problem = null;
        return true;
    }

    private static bool TryCreate(string? source, string? requestId, string? respondWhen, string? conversationId, string? submitted,
        string? traceParent, [NotNullWhen(true)] out Expectation? expectation, [NotNullWhen(false)] out string? problem)
    {
        expectation = null;
        if (string.IsNullOrEmpty(source))
        {
            problem = "'source' is missing";
            return false;
        }

        if (source.Length > MaxSourceLength || HasControlOrSpace(source))
        {
            problem = "'source' is not a source name";
            return false;
        }

        if (string.IsNullOrWhiteSpace(requestId))
        {
            problem = "'requestId' is missing";
            return false;
        }

        if (requestId.Length > MaxIdLength || HasControlOrSpace(requestId))
        {
            problem = $"'requestId' is longer than {MaxIdLength} characters or holds spaces or control characters";
            return false;
        }

        if (conversationId is { Length: > MaxIdLength } || (conversationId is not null && HasControlOrSpace(conversationId)))
        {
            problem = $"'conversationId' is longer than {MaxIdLength} characters or holds spaces or control characters";
            return false;
        }

        string? canonical = null;
        if (respondWhen is not null && (canonical = RespondWhen.Canonical(respondWhen)) is null)
        {
            problem = $"'respondWhen' is not one of Marketing Cloud's names (Never, OnError, OnCallComplete, OnConversationError, OnConversationComplete, Always, OnExpired)";
            return false;
        }

        DateTimeOffset? submittedAt = null;
        if (submitted is not null)
        {
            if (!DateTimeOffset.TryParse(submitted, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                || submitted.Length > 64)
            {
                problem = "'submittedAt' is not an RFC 3339 date and time";
                return false;
            }

            // Kept to the millisecond, as it is written back and as events carry times (fuzzing found a
            // registration that did not read back the same with a finer one).
            var utc = parsed.ToUniversalTime();
            submittedAt = new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        }

        if (traceParent is not null && !IsTraceParent(traceParent))
        {
            problem = "'traceparent' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)";
            return false;
        }

        expectation = new Expectation(source, requestId, canonical, conversationId, submittedAt, traceParent);
        problem = null;
        return true;
    }

    /// <summary>Version 00 of W3C Trace Context: <c>00-{trace id}-{parent id}-{flags}</c>, ids not all zero.</summary>
    public static bool IsTraceParent(string value)
    {
        if (value.Length != 55 || !value.StartsWith("00-", StringComparison.Ordinal) || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        var traceId = value.AsSpan(3, 32);
        var parentId = value.AsSpan(36, 16);
        return IsLowerHex(traceId) && IsLowerHex(parentId) && IsLowerHex(value.AsSpan(53, 2))
            && traceId.ContainsAnyExcept('0') && parentId.ContainsAnyExcept('0');
    }

    private static bool IsLowerHex(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControlOrSpace(string value)
    {
        foreach (char c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Shown(string name) => name.Length > 64 ? name[..64] + "…" : name;

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
