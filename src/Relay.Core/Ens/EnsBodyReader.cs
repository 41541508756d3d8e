using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Core.Memory;

namespace Relay.Core.Ens;

/// <summary>
/// Reads an ENS post: a JSON array of 1 to <see cref="EnsBody.MaxEvents"/> objects, or the verification
/// object <c>{"callbackId": "...", "verificationKey": "..."}</c>. The body must be one well-formed JSON
/// value in UTF-8, nested at most <see cref="MaxDepth"/> deep, with no object holding a property twice
/// (an event published as sent must mean the same to every consumer's parser).
/// </summary>
public static class EnsBodyReader
{
    public const int MaxDepth = 64;

    /// <summary>A verification is a few hundred bytes; a longer body is not read as one.</summary>
    public const int MaxVerificationBytes = 4096;

    /// <summary>A category longer than this is not used for the type and routing key.</summary>
    public const int MaxCategoryLength = 200;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    // Epoch milliseconds of 0001-01-01 and 9999-12-31T23:59:59.999Z: what DateTimeOffset can hold.
    private const long MinMilliseconds = -62_135_596_800_000;
    private const long MaxMilliseconds = 253_402_300_799_999;

    public static EnsBody Read(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return EnsBody.Bad("the body is empty");
        }

        // The reader checks the JSON, not the UTF-8 inside its strings; an event is written with its object's
        // bytes as they came, so they must be UTF-8 throughout.
        if (!Utf8.IsValid(body))
        {
            return EnsBody.Bad("the body is not UTF-8");
        }

        // Every string of an event reaches consumers as sent: each must read as text in any of their parsers.
        if (!JsonStrings.AllReadable(body))
        {
            return EnsBody.Bad("the body " + JsonStrings.LoneSurrogate);
        }

        JsonDocument document;
        try
        {
            // Parse copies nothing it does not need; the body is copied once so the elements' raw bytes can be sliced.
            document = JsonDocument.Parse(body.ToArray(), Options);
        }
        catch (JsonException ex)
        {
            return EnsBody.Bad($"the body is not well-formed JSON, or holds a property twice: {Describe(ex)}");
        }

        using (document)
        {
            var root = document.RootElement;
            return root.ValueKind switch
            {
                JsonValueKind.Array => ReadBatch(root),
                JsonValueKind.Object => ReadVerification(root),
                _ => EnsBody.Bad($"the body is a JSON {Kind(root.ValueKind)}, not an array of events"),
            };
        }
    }

    /// <summary>True when the body is a verification, read without building a document: the check an unsigned post gets.</summary>
    public static bool IsVerification(ReadOnlySpan<byte> body, out EnsVerification? verification)
    {
        verification = null;
        if (body.IsEmpty || body.Length > MaxVerificationBytes)
        {
            return false;
        }

        var read = Read(body);
        verification = read.Verification;
        return verification is not null;
    }

    private static EnsBody ReadBatch(JsonElement root)
    {
        int count = root.GetArrayLength();
        if (count == 0)
        {
            return EnsBody.Bad("the batch is empty");
        }

        if (count > EnsBody.MaxEvents)
        {
            return EnsBody.Bad($"the batch has {count} events, more than {EnsBody.MaxEvents}");
        }

        var notifications = new EnsNotification[count];
        int index = 0;
        foreach (var element in root.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return EnsBody.Bad($"event {index} is a JSON {Kind(element.ValueKind)}, not an object");
            }

            byte[] raw = JsonMarshal.GetRawUtf8Value(element).ToArray();
            notifications[index++] = new EnsNotification(raw, CategoryOf(element), TimestampOf(element));
        }

        return EnsBody.Batch(notifications);
    }

    private static EnsBody ReadVerification(JsonElement root)
    {
        if (root.TryGetProperty("callbackId", out var id) && id.ValueKind == JsonValueKind.String
            && root.TryGetProperty("verificationKey", out var key) && key.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 and <= 256 } callbackId && !HasControlCharacter(callbackId)
            && key.GetString() is { Length: > 0 and <= 1024 } verificationKey && !HasControlCharacter(verificationKey))
        {
            return EnsBody.Verifying(new EnsVerification(JsonMarshal.GetRawUtf8Value(root).ToArray(), callbackId, verificationKey));
        }

        return EnsBody.Bad("the body is an object but not a verification (a callbackId and a verificationKey, both strings)");
    }

    private static string? CategoryOf(JsonElement element) =>
        element.TryGetProperty("eventCategoryType", out var category) && category.ValueKind == JsonValueKind.String
        && category.GetString() is { Length: > 0 and <= MaxCategoryLength } text && !HasControlCharacter(text)
            ? text
            : null;

    private static DateTimeOffset? TimestampOf(JsonElement element) =>
        element.TryGetProperty("timestampUTC", out var timestamp) && timestamp.ValueKind == JsonValueKind.Number
        && timestamp.TryGetInt64(out long milliseconds) && milliseconds is >= MinMilliseconds and <= MaxMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : null;

    private static bool HasControlCharacter(string text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    // JsonException's message can quote the input; only its position is kept.
    private static string Describe(JsonException ex) => ex.BytePositionInLine is { } position
        ? $"line {ex.LineNumber + 1}, byte {position + 1}"
        : "unreadable";
}
