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
        using var form = new CanonicalForm(CallbackDomain, stackalloc byte[CanonicalForm.BufferBytes]);
        form.String(source);
        form.String(callback.RequestId);
        form.String(callback.ConversationId);
        form.String(callback.OverallStatusCode);
        form.String(callback.StatusCode);
        form.String(callback.StatusMessage);
        form.String(callback.ErrorCode);
        form.String(callback.RequestType);
        form.String(callback.ResultType);
        var xml = callback.ResultDetailXmlUtf8(out byte[]? rented);
        try
        {
            // The same bytes as the string's UTF-8 would be: the form's are valid UTF-8.
            if (callback.HasResultDetailXml)
            {
                form.Field(xml);
            }
            else
            {
                form.String(null);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ByteBuffers.Return(rented);
            }
        }

        form.String(callback.SequenceCode);
        return form.Format();
    }

    /// <summary>The id of a body that is not a well-formed callback: its source and its exact bytes.</summary>
    public static string ForRawBody(string source, ReadOnlySpan<byte> body)
    {
        using var form = new CanonicalForm(RawBodyDomain, stackalloc byte[CanonicalForm.BufferBytes]);
        form.String(source);
        form.Field(body);
        return form.Format();
    }

    /// <summary>The id of the <c>callback.missing</c> event of an expected call: its source and RequestID.</summary>
    public static string ForMissing(string source, string requestId)
    {
        using var form = new CanonicalForm(MissingDomain, stackalloc byte[CanonicalForm.BufferBytes]);
        form.String(source);
        form.String(requestId);
        return form.Format();
    }

    /// <summary>The id of an ENS event or verification: its source and the object's exact bytes as sent.</summary>
    public static string ForEns(string source, ReadOnlySpan<byte> raw)
    {
        using var form = new CanonicalForm(EnsDomain, stackalloc byte[CanonicalForm.BufferBytes]);
        form.String(source);
        form.Field(raw);
        return form.Format();
    }

    /// <summary>
    /// The canonical form, fed to SHA-256: its domain, then each field its length (little-endian, -1 for
    /// null, so that null and "" differ) and its UTF-8. The short fields gather in a buffer and reach the
    /// hash together; a call into the hash for each of a callback's two dozen pieces cost more than hashing them.
    /// </summary>
    private ref struct CanonicalForm : IDisposable
    {
        public const int BufferBytes = 1024;

        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Span<byte> _buffer;
        private int _count;

        public CanonicalForm(ReadOnlySpan<byte> domain, Span<byte> buffer)
        {
            _buffer = buffer;
            Field(domain);
        }

        public void Field(ReadOnlySpan<byte> bytes)
        {
            Length(bytes.Length);
            if (bytes.Length <= _buffer.Length - _count)
            {
                bytes.CopyTo(_buffer[_count..]);
                _count += bytes.Length;
                return;
            }

            Flush();
            _hash.AppendData(bytes);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Length(-1);
                return;
            }

            // The UTF-8 in pieces: a ResultDetailXML of megabytes is never copied whole. Ill-formed UTF-16
            // becomes U+FFFD in both, as Encoding.UTF8 makes it.
            Length(Encoding.UTF8.GetByteCount(value));
            ReadOnlySpan<char> rest = value;
            while (!rest.IsEmpty)
            {
                if (_count > _buffer.Length - 4)
                {
                    Flush();
                }

                Utf8.FromUtf16(rest, _buffer[_count..], out int read, out int written);
                _count += written;
                rest = rest[read..];
            }
        }

        /// <summary>The UUID: the hash truncated to 128 bits, with version 8 and the RFC 9562 variant.</summary>
        public string Format()
        {
            Flush();
            Span<byte> digest = stackalloc byte[32];
            _hash.GetHashAndReset(digest);
            Span<byte> uuid = digest[..16];
            uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
            uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 9562 variant
            return new Guid(uuid, bigEndian: true).ToString();
        }

        private void Length(int length)
        {
            if (_count > _buffer.Length - 4)
            {
                Flush();
            }

            BinaryPrimitives.WriteInt32LittleEndian(_buffer[_count..], length);
            _count += 4;
        }

        public readonly void Dispose() => _hash.Dispose();

        private void Flush()
        {
            _hash.AppendData(_buffer[.._count]);
            _count = 0;
        }
    }
}
