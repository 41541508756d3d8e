using Microsoft.Data.Sqlite;
using Relay.Core.Events;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Delivery;

/// <summary>
/// Gets each accepted event to the broker or, failing that, durably to disk, before the callback is
/// answered. While the broker confirms and the outbox is empty, events go straight to the broker. The
/// first event the broker does not confirm in time (down, blocked, nack, return, timeout, lost
/// connection) goes to the outbox and switches Relay to outbox mode: every later event queues behind it
/// in the outbox rather than overtaking it, until the forwarder has drained it and Relay returns to
/// direct publishing. Order is kept where nothing fails, not across a failure (docs/consumers/events.md, Delivery guarantees). An event too large for the broker is kept whole in
/// quarantine and a small stand-in goes in its place, so that it never blocks the events behind it.
/// </summary>
internal sealed partial class EventDelivery
{
    private readonly IEventPublisher _publisher;
    private readonly LocalOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<EventDelivery> _logger;
    private readonly Lock _gate = new();
    private bool _outboxMode;
    private long _enteredAt;
    private TimeSpan _timeInOutboxMode;

    public EventDelivery(IEventPublisher publisher, LocalOutbox outbox, TimeProvider time, ILogger<EventDelivery> logger)
    {
        _publisher = publisher;
        _outbox = outbox;
        _time = time;
        _logger = logger;
    }

    public bool InOutboxMode
    {
        get
        {
            lock (_gate)
            {
                return _outboxMode;
            }
        }
    }

    public TimeSpan TimeInOutboxMode
    {
        get
        {
            lock (_gate)
            {
                return _timeInOutboxMode + (_outboxMode ? _time.GetElapsedTime(_enteredAt) : TimeSpan.Zero);
            }
        }
    }

    public async Task<DeliveryResult> DeliverAsync(CallbackEvent callbackEvent)
    {
        Task<AppendResult>? append = null;
        lock (_gate)
        {
            bool ready = _publisher.IsReady(out var brokerState);
            if (_outboxMode || !ready || !_outbox.IsEmpty)
            {
                if (!_outboxMode)
                {
                    Enter(!ready ? $"broker {brokerState}" : "events left in the outbox");
                }

                append = _outbox.AppendAsync(callbackEvent);
            }
        }

        if (append is null)
        {
            var outcome = await _publisher.PublishAsync(callbackEvent);
            if (outcome == PublishOutcome.Confirmed)
            {
                return DeliveryResult.Confirmed;
            }

            if (outcome == PublishOutcome.TooLarge)
            {
                return await QuarantineAsync(callbackEvent);
            }

            lock (_gate)
            {
                Enter(PublishOutcomeNames.Of(outcome));
                append = _outbox.AppendAsync(callbackEvent);
            }
        }

        return await append switch
        {
            AppendResult.Stored => DeliveryResult.Stored,
            AppendResult.Full => DeliveryResult.OutboxFull,
            _ => DeliveryResult.OutboxUnwritable,
        };
    }

    /// <summary>The full event on disk in quarantine first; then its stand-in is delivered like any event.</summary>
    private async Task<DeliveryResult> QuarantineAsync(CallbackEvent callbackEvent)
    {
        try
        {
            _outbox.Quarantine(callbackEvent, QuarantineReasons.TooLarge(callbackEvent));
        }
        catch (Exception ex) when (ex is SqliteException or IOException or ObjectDisposedException)
        {
            Log.QuarantineFailed(_logger, callbackEvent.Id, ex);
            return DeliveryResult.OutboxUnwritable;
        }

        return await DeliverAsync(CallbackEventStandIn.Create(callbackEvent));
    }

    /// <summary>Returns to direct publishing once nothing is stored or on its way to the outbox.</summary>
    public void TryLeaveOutboxMode()
    {
        lock (_gate)
        {
            if (_outboxMode && _outbox.IsEmpty)
            {
                _outboxMode = false;
                var spent = _time.GetElapsedTime(_enteredAt);
                _timeInOutboxMode += spent;
                Log.Left(_logger, spent);
            }
        }
    }

    private void Enter(string reason)
    {
        if (!_outboxMode)
        {
            _outboxMode = true;
            _enteredAt = _time.GetTimestamp();
            Log.Entered(_logger, reason);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Outbox mode: new events go to the local outbox ({Reason})")]
        public static partial void Entered(ILogger logger, string reason);

        [LoggerMessage(EventId = 4203, Level = LogLevel.Error, Message = "Event {EventId} is too large for the broker and could not be quarantined")]
        public static partial void QuarantineFailed(ILogger logger, string eventId, Exception exception);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Outbox drained after {Duration}: publishing straight to the broker again")]
        public static partial void Left(ILogger logger, TimeSpan duration);
    }
}
