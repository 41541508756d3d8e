namespace Relay.Delivery;

/// <summary>Where an accepted event is now. The first two answer 200; the others 503.</summary>
internal enum DeliveryResult
{
    /// <summary>The broker confirmed it.</summary>
    Confirmed,

    /// <summary>The broker could not confirm it in time; it is on disk in the outbox, to be forwarded.</summary>
    Stored,

    /// <summary>The broker could not confirm it and the outbox is full.</summary>
    OutboxFull,

    /// <summary>The broker could not confirm it and the outbox could not write it.</summary>
    OutboxUnwritable,
}
