using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>A configured sender of callbacks: its name, the events' <c>source</c>, and the factory that builds them.</summary>
internal sealed record CallbackSource(string Name, string EventSource, CallbackEventFactory Events);
