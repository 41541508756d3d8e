namespace Relay.Core.Callbacks;

/// <summary>The form fields Marketing Cloud posts, in the order the event lists them.</summary>
public enum CallbackField
{
    RequestId,
    ConversationId,
    OverallStatusCode,
    StatusCode,
    StatusMessage,
    ErrorCode,
    RequestType,
    ResultType,
    ResultDetailXml,
    SequenceCode,
}
