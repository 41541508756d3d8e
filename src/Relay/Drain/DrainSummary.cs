using System.Globalization;

namespace Relay.Drain;

/// <summary>What <c>Relay outbox drain</c> did: printed on standard output.</summary>
internal sealed record DrainSummary(string Directory, string Exchange, int Delivered, int Quarantined, long Left, string? StoppedBecause)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"drained {Directory} to '{Exchange}': {Delivered} delivered, {Quarantined} quarantined, {Left} left") +
        (StoppedBecause is null ? string.Empty : $" (stopped: {StoppedBecause})");
}
