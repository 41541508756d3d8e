namespace Relay.Outbox;

internal enum OutboxStatus
{
    Available,

    /// <summary>The last append was refused for space; clears when an event leaves the outbox.</summary>
    Full,

    /// <summary>The volume has no more room than the reserve; clears within a second of room coming back.</summary>
    NoSpace,

    /// <summary>The last write failed; clears within a second of a probing write succeeding.</summary>
    Unwritable,
}
