using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Relay.Core.Ens;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>
/// Tells which source a callback URL's token belongs to. Only SHA-256 hashes of the tokens are kept, and
/// a presented token is compared with every one of them in constant time, so neither the answer's
/// timing nor memory gives a token away.
/// </summary>
internal sealed partial class CallbackSources
{
    public const int MinTokenLength = 32;

    private readonly (byte[] Hash, CallbackSource Source)[] _tokens;

    public CallbackSources(IOptions<CallbackOptions> options)
    {
        var settings = options.Value;
        ByName = settings.Sources.ToDictionary(entry => entry.Key, entry =>
        {
            string eventSource = settings.Source.TrimEnd('/') + "/" + entry.Key;
            var ens = entry.Value.Ens;
            return new CallbackSource(entry.Key, eventSource, new CallbackEventFactory(settings.ToEventOptions(eventSource)))
            {
                EnsSignature = ens.IsConfigured ? new EnsSignature(ens.SignatureKeys, ens.SignatureKeyEncoding) : null,
            };
        }, StringComparer.OrdinalIgnoreCase);
        _tokens = [.. settings.Sources.SelectMany(entry =>
            entry.Value.Tokens.Select(token => (SHA256.HashData(Encoding.UTF8.GetBytes(token)), ByName[entry.Key])))];

        if (settings.AllowTokenless)
        {
            Tokenless = new CallbackSource("tokenless", settings.Source, new CallbackEventFactory(settings.ToEventOptions(settings.Source)));
        }
    }

    /// <summary>The configured sources by name (case-insensitive, as configuration keys are).</summary>
    public IReadOnlyDictionary<string, CallbackSource> ByName { get; }

    /// <summary>The source of callbacks posted to <c>{Path}</c> itself, when tokenless callbacks are allowed.</summary>
    public CallbackSource? Tokenless { get; }

    public static bool IsValidName(string name) => SourceName().IsMatch(name);

    public static bool IsValidToken(string token) => Token().IsMatch(token);

    public bool TryMatch(string? token, out CallbackSource? source)
    {
        source = null;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        int max = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        Span<byte> bytes = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(token, bytes)], hash);

            // Every configured token is compared, matching or not, so the time taken does not say which.
            foreach (var (candidate, owner) in _tokens)
            {
                if (CryptographicOperations.FixedTimeEquals(hash, candidate))
                {
                    source = owner;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return source is not null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex SourceName();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex Token();
}
