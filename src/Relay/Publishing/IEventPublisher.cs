
using Relay.Core.Events;

namespace Relay.Publishing;

/// <summary>
/// The broker as delivery and the outbox forwarder use it: whether it can take an event now, its size
/// limit, and one publish with its confirm. <see cref="EventPublisher"/> is the one Relay runs; the
/// tests of the delivery decisions put a scripted one in its place.
/// </summary>
internal interface IEventPublisher
{
    /// <summary>Whether the broker can take an event now (connected, topology declared, not blocked); <paramref name="state"/> says how it is.</summary>
    bool IsReady(out BrokerState state);

    /// <summary>Whether the event is over the size limit known now (the configured one, or the broker's once it said).</summary>
    bool IsTooLarge(CallbackEvent callbackEvent);

    /// <summary>Publishes the event and waits for the broker's confirm. Never throws: every failure is an outcome.</summary>
    /// <param name="callbackEvent">The event.</param>
    /// <param name="fromStore">
    /// True for an event forwarded from the outbox: the publish span then starts a trace of its own, linked
    /// to the span that made the event (<see cref="CallbackEvent.TraceParent"/>), and the confirm is waited
    /// for while the channel is open (<see cref="ConfirmedPublish.StoredConfirmTimeout"/>), not ConfirmTimeout.
    /// </param>
    Task<PublishOutcome> PublishAsync(CallbackEvent callbackEvent, bool fromStore = false);
}
