using System.Security.Cryptography;

namespace Relay.Core.Ens;

/// <summary>How a callback's signature key becomes the HMAC's key bytes.</summary>
public enum EnsKeyEncoding
{
    /// <summary>The key string's UTF-8 bytes (the reading Relay takes by default).</summary>
    Utf8,

    /// <summary>The key string base64-decoded (the other reading seen in public receivers).</summary>
    Base64,
}

/// <summary>
/// Checks <c>x-sfmc-ens-signature</c>: base64 of HMAC-SHA256 over the body's raw bytes, keyed by one of a
/// source's signature keys (several, so that a regenerated key can be added before the old one goes).
/// Every key is tried and compared in constant time, matching or not.
/// </summary>
public sealed class EnsSignature
{
    private readonly byte[][] _keys;
    private readonly byte[][] _otherReading;

    /// <param name="keys">The keys as configured.</param>
    /// <param name="encoding">How they are read.</param>
    public EnsSignature(IReadOnlyList<string> keys, EnsKeyEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Encoding = encoding;
        _keys = [.. keys.Select(key => KeyBytes(key, encoding)!)];
        var other = encoding == EnsKeyEncoding.Utf8 ? EnsKeyEncoding.Base64 : EnsKeyEncoding.Utf8;
        _otherReading = [.. keys.Select(key => KeyBytes(key, other)).OfType<byte[]>()];
    }

    public EnsKeyEncoding Encoding { get; }

    public int KeyCount => _keys.Length;

    /// <summary>The key bytes of <paramref name="key"/> under <paramref name="encoding"/>, or null when it is not base64.</summary>
    public static byte[]? KeyBytes(string key, EnsKeyEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (encoding == EnsKeyEncoding.Utf8)
        {
            return System.Text.Encoding.UTF8.GetBytes(key);
        }

        byte[] decoded = new byte[key.Length];
        return Convert.TryFromBase64String(key, decoded, out int written) && written > 0 ? decoded[..written] : null;
    }

    /// <summary>The header's value for a body and key: what ENS sends, and what tests sign with.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string key, EnsKeyEncoding encoding = EnsKeyEncoding.Utf8) =>
        Convert.ToBase64String(HMACSHA256.HashData(KeyBytes(key, encoding) ?? throw new ArgumentException("the key is not base64", nameof(key)), body));

    /// <summary>Whether <paramref name="header"/> signs <paramref name="body"/> with one of the keys.</summary>
    public EnsSignatureCheck Check(string? header, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
        {
            return EnsSignatureCheck.Missing;
        }

        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (header.Length > 64 || !Convert.TryFromBase64String(header.Trim(), presented, out int length) || length != presented.Length)
        {
            return EnsSignatureCheck.Malformed;
        }

        if (Matches(_keys, presented, body))
        {
            return EnsSignatureCheck.Valid;
        }

        // Not for the answer (401 either way), for the log: a key that signs under the other reading means
        // the setting is wrong, not the key.
        return Matches(_otherReading, presented, body) ? EnsSignatureCheck.OtherReading : EnsSignatureCheck.Wrong;
    }

    private static bool Matches(byte[][] keys, ReadOnlySpan<byte> presented, ReadOnlySpan<byte> body)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        bool matched = false;
        foreach (byte[] key in keys)
        {
            HMACSHA256.HashData(key, body, expected);
            matched |= CryptographicOperations.FixedTimeEquals(expected, presented);
        }

        return matched;
    }
}

/// <summary>What a signature check found.</summary>
public enum EnsSignatureCheck
{
    Valid,
    Missing,

    /// <summary>Not base64 of 32 bytes.</summary>
    Malformed,

    /// <summary>Signed by none of the keys.</summary>
    Wrong,

    /// <summary>Signed by one of the keys read the other way (<see cref="EnsKeyEncoding"/>): the setting is wrong.</summary>
    OtherReading,
}
