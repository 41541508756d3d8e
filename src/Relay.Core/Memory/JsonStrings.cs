using System.Text.Json;

namespace Relay.Core.Memory;

/// <summary>
/// JSON the reader accepts but whose strings cannot all be read: an escaped lone surrogate
/// (<c>"\udccc"</c>) is well-formed JSON, yet reading it as text throws. Fuzzing found it in every reader of
/// outside JSON; they refuse it with a reason instead.
/// </summary>
public static class JsonStrings
{
    public const string LoneSurrogate = "holds an escaped lone surrogate, which is no Unicode text";

    /// <summary>
    /// Whether every property name and string of a well-formed document reads as text. Only escaped ones are
    /// read; malformed JSON is left to the caller's reader to report.
    /// </summary>
    public static bool AllReadable(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        return true;
    }
}
