namespace Relay.Publishing;

/// <summary>Telemetry names of <see cref="PublishOutcome"/>: the <c>relay.publish.outcome</c> and <c>error.type</c> values.</summary>
internal static class PublishOutcomeNames
{
    public static string Of(PublishOutcome outcome) => outcome switch
    {
        PublishOutcome.Confirmed => "confirmed",
        PublishOutcome.Returned => "returned",
        PublishOutcome.Nacked => "nacked",
        PublishOutcome.TimedOut => "timed_out",
        PublishOutcome.ConnectionLost => "connection_lost",
        PublishOutcome.NotConnected => "not_connected",
        PublishOutcome.Failed => "failed",
        PublishOutcome.TooLarge => "too_large",
        _ => "unknown",
    };
}
