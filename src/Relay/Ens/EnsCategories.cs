namespace Relay.Ens;

/// <summary>
/// The event categories Marketing Cloud documents, for the <c>relay.ens.category</c> tag: a category outside
/// them (new ones appear) is counted as <c>other</c>, so that what a sender writes cannot grow the metrics.
/// </summary>
internal static class EnsCategories
{
    public const string Other = "other";

    private static readonly HashSet<string> Known = new(
    [
        "TransactionalSendEvents.EmailSent", "TransactionalSendEvents.EmailNotSent", "TransactionalSendEvents.EmailBounced",
        "TransactionalSendEvents.SmsSent", "TransactionalSendEvents.SmsNotSent", "TransactionalSendEvents.SmsTransient",
        "TransactionalSendEvents.SmsDelivered", "TransactionalSendEvents.SmsBounced",
        "EngagementEvents.EmailOpen", "EngagementEvents.EmailClick", "EngagementEvents.EmailUnsubscribe",
        "EngagementEvents.PushOpen", "EngagementEvents.InAppDisplay",
        "SendEvents.AutomationInstanceStarted", "SendEvents.AutomationInstanceCompleted", "SendEvents.AutomationInstanceStopped",
        "SendEvents.AutomationInstanceErrored", "SendEvents.AutomationInstanceSkipped", "SendEvents.PushSent",
    ], StringComparer.Ordinal);

    public static string TagOf(string? category) => category is not null && Known.Contains(category) ? category : Other;
}
