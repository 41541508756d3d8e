namespace Relay.Callbacks;

/// <summary>Values of <c>relay.callback.outcome</c>: what the callback endpoint answered, and why.</summary>
internal static class CallbackOutcomes
{
    public const string Accepted = "accepted";
    public const string UnknownToken = "unknown_token";
    public const string AcceptedInvalid = "accepted_invalid";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string BodyTooLarge = "body_too_large";
    public const string BodyIncomplete = "body_incomplete";
    public const string OutboxFull = "outbox_full";
    public const string OutboxUnwritable = "outbox_unwritable";
}
