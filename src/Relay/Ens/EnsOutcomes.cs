namespace Relay.Ens;

/// <summary>Values of <c>relay.ens.outcome</c> (what the ENS endpoint answered, and why) and <c>relay.ens.verification.outcome</c>.</summary>
internal static class EnsOutcomes
{
    public const string Accepted = "accepted";
    public const string Verification = "verification";
    public const string NotEnabled = "not_enabled";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string BodyTooLarge = "body_too_large";
    public const string BodyIncomplete = "body_incomplete";
    public const string SignatureMissing = "signature_missing";
    public const string SignatureWrong = "signature_wrong";
    public const string Malformed = "malformed";
    public const string OutboxFull = "outbox_full";
    public const string OutboxUnwritable = "outbox_unwritable";

    public const string Verified = "verified";
    public const string VerifyFailed = "failed";
    public const string NoCredentials = "no_credentials";
    public const string Dropped = "dropped";
}
