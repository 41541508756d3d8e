
using Relay.Core.Events;

namespace Relay.Outbox;

/// <summary>An event kept whole in the outbox database's quarantine, with why and when it went there.</summary>
internal sealed record QuarantinedEvent(long Id, CallbackEvent Event, string Reason, DateTimeOffset QuarantinedAt);
