using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Relay.Callbacks;

namespace Relay.Events;

/// <summary>
/// Deterministic event ids: the same callback always yields the same id, so consumers can deduplicate
/// on it across retries, outbox replays and restarts. The id is a name-based UUID of version 8
/// (RFC 9562, section B.2): SHA-256 over a length-prefixed canonical form, truncated to 128 bits.
/// </summary>
public static class EventIds
{
    private static readonly byte[] CallbackDomain = "relay/marketing-cloud-callback/v1"u8.ToArray();
    private static readonly byte[] RawBodyDomain = "relay/marketing-cloud-raw-body/v1"u8.ToArray();

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
        AppendString(hash, callback.ResultDetailXml);
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

    private static void AppendString(IncrementalHash hash, string? value)
    {
        if (value is null)
        {
            // -1 marks null, so that null and "" differ.
            Span<byte> absent = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(absent, -1);
            hash.AppendData(absent);
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(value, buffer);
            AppendField(hash, buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
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
