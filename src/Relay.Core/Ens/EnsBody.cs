namespace Relay.Core.Ens;

/// <summary>What an ENS post held: a batch of notifications, a callback's verification, or why it is neither.</summary>
public sealed class EnsBody
{
    /// <summary>ENS sends at most this many events in one batch (<c>maxBatchSize</c> is 100 to 1,000).</summary>
    public const int MaxEvents = 1000;

    private EnsBody(IReadOnlyList<EnsNotification> notifications, EnsVerification? verification, string? problem)
    {
        Notifications = notifications;
        Verification = verification;
        Problem = problem;
    }

    /// <summary>The batch's events, in the order sent; empty for a verification or a bad body.</summary>
    public IReadOnlyList<EnsNotification> Notifications { get; }

    /// <summary>The verification ENS posts when a callback is created, or null.</summary>
    public EnsVerification? Verification { get; }

    /// <summary>Why the body is neither a batch nor a verification, or null.</summary>
    public string? Problem { get; }

    internal static EnsBody Batch(IReadOnlyList<EnsNotification> notifications) => new(notifications, null, null);

    internal static EnsBody Verifying(EnsVerification verification) => new([], verification, null);

    internal static EnsBody Bad(string problem) => new([], null, problem);
}

/// <summary>One event of a batch: its exact bytes as sent, and what the envelope takes from it.</summary>
/// <param name="Raw">The event object's bytes exactly as sent (a copy: the body may be let go).</param>
/// <param name="Category">Its <c>eventCategoryType</c> when that is a usable string, else null.</param>
/// <param name="Timestamp">Its <c>timestampUTC</c> (epoch milliseconds) when that is a number in range, else null.</param>
public sealed record EnsNotification(ReadOnlyMemory<byte> Raw, string? Category, DateTimeOffset? Timestamp);

/// <summary>The body ENS posts, unsigned, when a callback is created; the same body verifies it.</summary>
/// <param name="Raw">The body's bytes exactly as sent.</param>
public sealed record EnsVerification(ReadOnlyMemory<byte> Raw, string CallbackId, string VerificationKey)
{
    /// <summary>The key for a log line: its first four characters, never the whole.</summary>
    public string RedactedKey => VerificationKey.Length <= 8 ? "…" : VerificationKey[..4] + "…";
}
