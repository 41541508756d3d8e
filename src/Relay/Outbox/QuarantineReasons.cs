using System.Globalization;
using Relay.Core.Events;
using Relay.Publishing;

namespace Relay.Outbox;

/// <summary>Why an event is in quarantine, in the words <c>Relay quarantine list</c> shows.</summary>
internal static class QuarantineReasons
{
    public static string TooLarge(CallbackEvent callbackEvent) => string.Create(CultureInfo.InvariantCulture,
        $"too large for the broker ({callbackEvent.Body.Length} bytes); a stand-in was published in its place");

    public static string Unreadable(UnreadableRow row) => $"an outbox row Relay could not read: {row.Problem}";

    public static string Refused(PublishOutcome outcome, int attempts) => string.Create(CultureInfo.InvariantCulture,
        $"refused by the broker {attempts} times ({PublishOutcomeNames.Of(outcome)})");
}
