
using Relay.Core.Events;

namespace Relay.Outbox;

/// <summary>
/// An event waiting in the outbox: its place in arrival order, and the trace context of the request that
/// brought it, so the publish that finally delivers it can link back to that request.
/// </summary>
internal sealed record OutboxEntry(long Sequence, CallbackEvent Event, DateTimeOffset StoredAt);
