using Relay.Core.Ens;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>
/// A configured sender of callbacks: its name, the events' <c>source</c>, the factory that builds them,
/// and, when the source has ENS, its signature keys and the factory of its ENS events.
/// </summary>
internal sealed record CallbackSource(string Name, string EventSource, CallbackEventFactory Events)
{
    public EnsSignature? EnsSignature { get; init; }

    public EnsEventFactory EnsEvents { get; } = new(EventSource);
}
