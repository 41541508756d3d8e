namespace Relay.Publishing;

/// <summary>How one publish ended. Only <see cref="Confirmed"/> means the broker has the event.</summary>
internal enum PublishOutcome
{
    Confirmed,

    /// <summary>The broker could not route it, not even to the alternate exchange (basic.return).</summary>
    Returned,

    /// <summary>The broker refused it (basic.nack).</summary>
    Nacked,

    /// <summary>No confirm within <c>Relay:RabbitMq:ConfirmTimeout</c>, e.g. while the broker is blocked.</summary>
    TimedOut,

    /// <summary>The connection or channel closed before the confirm.</summary>
    ConnectionLost,

    /// <summary>No connection to publish on.</summary>
    NotConnected,

    /// <summary>The client failed in a way nobody foresaw; the event is treated as not confirmed.</summary>
    Failed,

    /// <summary>
    /// Larger than <c>Relay:RabbitMq:MaxMessageBytes</c> or the broker's own limit (which the broker answers
    /// by closing the channel): it never will be published as it is, and goes to quarantine.
    /// </summary>
    TooLarge,
}
