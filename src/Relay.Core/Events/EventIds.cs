using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Relay.Core.Callbacks;
using Relay.Core.Memory;

namespace Relay.Core.Events;

/// <summary>
/// Deterministic event ids: the same callback always yields the same id, so consumers can deduplicate
/// on it across retries, outbox replays and restarts. The id is a name-based UUID of version 8
/// (RFC 9562, section B.2): SHA-256 over a length-prefixed canonical form, truncated to 128 bits.
/// </summary>
public static class EventIds
{
    private static readonly byte[] CallbackDomain = "relay/marketing-cloud-callback/v1"u8.ToArray();
    private static readonly byte[] RawBodyDomain = "relay/marketing-cloud-raw-body/v1"u8.ToArray();
    private static readonly byte[] MissingDomain = "relay/marketing-cloud-missing/v1"u8.ToArray();
    private static readonly byte[] EnsDomain = "relay/marketing-cloud-ens/v1"u8.ToArray();

    /// <summary>The id of a well-formed callback: its source and its ten fields, in order.</summary>
    public static string ForCallback(string source, MarketingCloudCallback callback)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendField(hash, CallbackDomain);
        AppendString(hash, source);
        AppendString(hash, callback.RequestId);
        AppendString(hash, callback.ConversationId);
        AppendString(hash, callback.OverallStatusCode);
        AppendString(hash, callback.StatusCode);
        AppendString(hash, callback.StatusMessage);
        AppendString(hash, callback.ErrorCode);
        AppendString(hash, callback.RequestType);
        AppendString(hash, callback.ResultType);
        var xml = callback.ResultDetailXmlUtf8(out byte[]? rented);
        try
        {
            // The same bytes as the string's UTF-8 would be: the form's are valid UTF-8.
            if (callback.HasResultDetailXml)
            {
                AppendField(hash, xml);
            }
            else
            {
                AppendString(hash, null);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ByteBuffers.Return(rented);
            }
        }

        AppendString(hash, callback.SequenceCode);
        return Format(hash);
    }

    /// <summary>The id of a body that is not a well-formed callback: its source and its exact bytes.</summary>
    public static string ForRawBody(string source, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendField(hash, RawBodyDomain);
        AppendString(hash, source);
        AppendField(hash, body);
        return Format(hash);
    }

    /// <summary>The id of the <c>callback.missing</c> event of an expected call: its source and RequestID.</summary>
    public static string ForMissing(string source, string requestId)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendField(hash, MissingDomain);
        AppendString(hash, source);
        AppendString(hash, requestId);
        return Format(hash);
    }

    /// <summary>The id of an ENS event or verification: its source and the object's exact bytes as sent.</summary>
    public static string ForEns(string source, ReadOnlySpan<byte> raw)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendField(hash, EnsDomain);
        AppendString(hash, source);
        AppendField(hash, raw);
        return Format(hash);
    }

    private static void AppendString(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            // -1 marks null, so that null and "" differ.
            BinaryPrimitives.WriteInt32LittleEndian(length, -1);
            hash.AppendData(length);
            return;
        }

        // The length, then the UTF-8 in pieces: a ResultDetailXML of megabytes is never copied whole.
        // Ill-formed UTF-16 becomes U+FFFD in both, as Encoding.UTF8 makes it.
        BinaryPrimitives.WriteInt32LittleEndian(length, Encoding.UTF8.GetByteCount(value));
        hash.AppendData(length);
        Span<byte> piece = stackalloc byte[1024];
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            Utf8.FromUtf16(rest, piece, out int read, out int written);
            hash.AppendData(piece[..written]);
            rest = rest[read..];
        }
    }

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private static string Format(IncrementalHash hash)
    {
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        Span<byte> uuid = digest[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(uuid, bigEndian: true).ToString();
    }
}
