namespace Relay.Core.Callbacks;

/// <summary>
/// The ten fields of one Marketing Cloud asynchronous-API callback, as posted. Empty fields are null.
/// </summary>
public sealed record MarketingCloudCallback(
    string? RequestId,
    string? ConversationId,
    string? OverallStatusCode,
    string? StatusCode,
    string? StatusMessage,
    string? ErrorCode,
    string? RequestType,
    string? ResultType,
    string? ResultDetailXml,
    string? SequenceCode)
{
    public static MarketingCloudCallback Empty { get; } = new(null, null, null, null, null, null, null, null, null, null);
}
