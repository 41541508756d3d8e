using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Relay.Core.Events;

namespace Relay.Publishing;

/// <summary>
/// The one way an event is published: persistent, mandatory, as <see cref="EventMessage"/> builds it, on a
/// channel with publisher confirms and tracking, waiting for the broker's confirm within a deadline, every
/// way it can end an outcome. The server's publisher, <c>Relay outbox drain</c> and <c>Relay quarantine
/// retry</c> all publish through it.
/// </summary>
internal static class ConfirmedPublish
{
    /// <summary>
    /// How long an event from storage (the outbox, a drained outbox, the quarantine) waits for its confirm.
    /// No callback waits on it, and giving up on a publish the broker is still working on (recovering,
    /// under an alarm) only sends it again: it waits for the confirm the open channel will still deliver.
    /// A broker that is gone is found by the connection's heartbeat long before this deadline.
    /// </summary>
    public static readonly TimeSpan StoredConfirmTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How a publish ended, and when the channel closed under it, the broker's reason (which may name its size limit).</summary>
    public readonly record struct Result(PublishOutcome Outcome, ShutdownEventArgs? ClosedBecause = null);

    public static async Task<Result> PublishAsync(IChannel channel, string exchange, CallbackEvent callbackEvent, BasicProperties properties,
        TimeSpan confirmTimeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(confirmTimeout);
        try
        {
            await channel.BasicPublishAsync(exchange, callbackEvent.RoutingKey, mandatory: true, properties, callbackEvent.Body, deadline.Token);
            return new Result(PublishOutcome.Confirmed);
        }
        catch (PublishException ex)
        {
            return new Result(ex.IsReturn ? PublishOutcome.Returned : PublishOutcome.Nacked);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Past the deadline, or the caller stopped waiting (Ctrl+C in a subcommand): not confirmed either way.
            return new Result(PublishOutcome.TimedOut);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException
            or IOException or System.Net.Sockets.SocketException)
        {
            return new Result(PublishOutcome.ConnectionLost, (ex as OperationInterruptedException)?.ShutdownReason ?? channel.CloseReason);
        }
    }
}
