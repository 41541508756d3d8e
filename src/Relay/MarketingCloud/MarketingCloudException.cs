namespace Relay.MarketingCloud;

/// <summary>A call to Marketing Cloud (token, SOAP, REST) that failed; <see cref="Kind"/> is the metric's <c>error.type</c>.</summary>
internal sealed class MarketingCloudException(string kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string Timeout = "timeout";
    public const string Network = "network";
    public const string ServerError = "server_error";
    public const string Refused = "refused";
    public const string Unauthorized = "unauthorized";
    public const string LoginFailed = "login_failed";
    public const string Fault = "fault";
    public const string Malformed = "malformed";
    public const string StatusError = "status_error";

    public string Kind { get; } = kind;
}
