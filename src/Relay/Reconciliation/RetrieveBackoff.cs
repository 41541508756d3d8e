using System.Collections.Concurrent;

namespace Relay.Reconciliation;

/// <summary>
/// Per source, how long retrieves wait after a failed one, so that expectations do not pile onto a failing
/// API: from 2 s, doubling while failures continue, up to <c>Relay:Reconciliation:RetryInterval</c>; one
/// success clears it.
/// </summary>
internal sealed class RetrieveBackoff(TimeSpan ceiling)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True while the source's last retrieve failed and its backoff has not run out.</summary>
    public bool IsBackingOff(string source, DateTimeOffset now) => _until.TryGetValue(source, out var until) && now < until;

    public void Failed(string source, DateTimeOffset now) => _until.AddOrUpdate(source, now + First, (_, previous) =>
    {
        var last = previous - now;
        var doubled = last > TimeSpan.Zero ? last * 2 : First;
        return now + (doubled > ceiling ? ceiling : doubled);
    });

    public void Succeeded(string source) => _until.TryRemove(source, out _);
}
