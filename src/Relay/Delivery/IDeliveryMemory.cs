using System.Numerics;

namespace Relay.Delivery;

/// <summary>
/// The memory events hold on their way to the broker, out of the bytes Relay holds for callbacks at once
/// (<c>Relay:Callbacks:MaxBufferedBytes</c>, kept by the callbacks' budget). A callback holds its event in
/// it until the event is confirmed or stored; the forwarder holds each batch it reads back from the outbox
/// until the broker has answered for it, so that a backlog of large events replayed after a failure waits
/// for room as new callbacks do, instead of adding its size to Relay's peak.
/// </summary>
internal interface IDeliveryMemory
{
    /// <summary>
    /// What an event of <paramref name="eventBytes"/> holds until it is delivered: itself, and while it is
    /// published a second copy, the frames the broker client rents from the shared array pool (whose arrays
    /// are powers of two).
    /// </summary>
    static long HeldFor(int eventBytes) =>
        eventBytes + (long)BitOperations.RoundUpToPowerOf2((uint)Math.Max(eventBytes, 1));

    /// <summary>Holds <paramref name="bytes"/> until disposed, waiting for room when there is none.</summary>
    ValueTask<IDisposable> HoldAsync(long bytes, CancellationToken cancellationToken);
}
