namespace Relay.Outbox;

internal enum OutboxStatus
{
    Available,

    /// <summary>The last append was refused for space; clears when an event leaves the outbox.</summary>
    Full,

    /// <summary>The last write failed; clears when a write succeeds.</summary>
    Unwritable,
}
