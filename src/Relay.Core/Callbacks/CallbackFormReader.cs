using System.Text;
using System.Text.Unicode;
using Relay.Core.Memory;

namespace Relay.Core.Callbacks;

/// <summary>
/// Reads a callback from the raw bytes of its form-urlencoded body. Only the ten known fields are
/// decoded; any other field is skipped without being decoded, so thousands of them cost a scan and
/// nothing more. Field names match without regard to case.
/// </summary>
public static class CallbackFormReader
{
    // Longest known name is 15 characters; fully percent-encoded that is 45 bytes.
    private const int MaxKnownNameBytes = 48;
    private const int StackValueBytes = 256;

    public static CallbackReadResult Read(ReadOnlySpan<byte> body)
    {
        var values = new string?[CallbackFieldNames.Count];
        var seen = new bool[CallbackFieldNames.Count];
        RentedUtf8? resultDetailXml = null;
        var problem = CallbackProblem.None;
        CallbackField? problemField = null;
        Span<byte> name = stackalloc byte[MaxKnownNameBytes];

        while (!body.IsEmpty)
        {
            int amp = body.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? body : body[..amp];
            body = amp < 0 ? default : body[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            int eq = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> rawName = eq < 0 ? pair : pair[..eq];
            ReadOnlySpan<byte> rawValue = eq < 0 ? default : pair[(eq + 1)..];
            if (rawName.Length > MaxKnownNameBytes)
            {
                continue;
            }

            int nameLength = FormUrlDecoder.Decode(rawName, name);
            if (nameLength < 0)
            {
                Note(CallbackProblem.MalformedPercentEncoding, null);
                continue;
            }

            if (!CallbackFieldNames.TryGet(name[..nameLength], out CallbackField field))
            {
                continue;
            }

            int index = (int)field;
            if (field == CallbackField.ResultDetailXml)
            {
                if (!TryDecodeUtf8(rawValue, out var xml, out CallbackProblem xmlProblem))
                {
                    Note(xmlProblem, field);
                }
                else if (!seen[index])
                {
                    seen[index] = true;
                    resultDetailXml = xml;
                }
                else
                {
                    bool same = xml is null ? resultDetailXml is null : resultDetailXml is not null && xml.Span.SequenceEqual(resultDetailXml.Span);
                    xml?.Dispose();
                    if (!same)
                    {
                        Note(CallbackProblem.ConflictingField, field);
                    }
                }

                continue;
            }

            if (!TryDecodeValue(rawValue, out string? value, out CallbackProblem valueProblem))
            {
                Note(valueProblem, field);
                continue;
            }

            if (!seen[index])
            {
                seen[index] = true;
                values[index] = value;
            }
            else if (!string.Equals(values[index], value, StringComparison.Ordinal))
            {
                Note(CallbackProblem.ConflictingField, field);
            }
        }

        var callback = new MarketingCloudCallback(values, resultDetailXml);

        if (problem == CallbackProblem.None && callback.RequestId is null)
        {
            problem = CallbackProblem.MissingRequestId;
        }
        else if (problem == CallbackProblem.None && HasControlCharacter(callback.RequestId))
        {
            problem = CallbackProblem.ControlCharacterInRequestId;
            problemField = CallbackField.RequestId;
        }

        return new CallbackReadResult(callback, problem, problemField);

        void Note(CallbackProblem found, CallbackField? field)
        {
            // The first problem is the one reported; later ones are usually its consequences.
            if (problem == CallbackProblem.None)
            {
                problem = found;
                problemField = field;
            }
        }
    }

    /// <summary>Whether the text holds a control character (C0, DEL or C1).</summary>
    public static bool HasControlCharacter(string? text) =>
        text is not null && (text.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0);

    /// <summary>Decodes a value into a rented buffer, kept as UTF-8 (ResultDetailXML: large, and read as UTF-8).</summary>
    private static bool TryDecodeUtf8(ReadOnlySpan<byte> raw, out RentedUtf8? value, out CallbackProblem problem)
    {
        value = null;
        byte[] rented = ByteBuffers.Rent(Math.Max(raw.Length, 1));
        int length = Decode(raw, rented, out problem);
        if (length <= 0)
        {
            ByteBuffers.Return(rented);
            return problem == CallbackProblem.None;
        }

        value = new RentedUtf8(rented, length);
        return true;
    }

    private static bool TryDecodeValue(ReadOnlySpan<byte> raw, out string? value, out CallbackProblem problem)
    {
        byte[]? rented = null;
        Span<byte> buffer = raw.Length <= StackValueBytes
            ? stackalloc byte[StackValueBytes]
            : (rented = ByteBuffers.Rent(raw.Length));
        try
        {
            int length = Decode(raw, buffer, out problem);
            value = length <= 0 ? null : Encoding.UTF8.GetString(buffer[..length]);
            return problem == CallbackProblem.None;
        }
        finally
        {
            if (rented is not null)
            {
                ByteBuffers.Return(rented);
            }
        }
    }

    /// <summary>A value's bytes, percent-decoded into <paramref name="buffer"/> and checked to be UTF-8.</summary>
    /// <returns>The decoded length (0 for an empty value), or -1 with the <paramref name="problem"/>.</returns>
    private static int Decode(ReadOnlySpan<byte> raw, Span<byte> buffer, out CallbackProblem problem)
    {
        int length = FormUrlDecoder.Decode(raw, buffer);
        problem = length < 0 ? CallbackProblem.MalformedPercentEncoding
            : !Utf8.IsValid(buffer[..length]) ? CallbackProblem.NotUtf8
            : CallbackProblem.None;
        return problem == CallbackProblem.None ? length : -1;
    }
}
