namespace Relay.Core.Callbacks;

/// <summary>Why a posted form is not a well-formed callback. Such a callback is still published, as invalid.</summary>
public enum CallbackProblem
{
    None,

    /// <summary>No RequestID, or an empty one.</summary>
    MissingRequestId,

    /// <summary>A field appears more than once with different values.</summary>
    ConflictingField,

    /// <summary>A '%' that is not followed by two hexadecimal digits.</summary>
    MalformedPercentEncoding,

    /// <summary>A decoded name or value is not UTF-8.</summary>
    NotUtf8,

    /// <summary>RequestID holds control characters, which no identifier has (and no CloudEvents subject may).</summary>
    ControlCharacterInRequestId,

    /// <summary>Reading the callback failed in a way nobody foresaw; only its raw body is kept.</summary>
    Unreadable,
}
