namespace Relay.Core.Callbacks;

/// <summary>
/// What reading a posted form found: the callback (possibly partial), and the problem that makes it
/// invalid, with the field it concerns when there is one. Disposing it gives back the buffer its
/// ResultDetailXML was decoded into, once the event is made.
/// </summary>
public sealed record CallbackReadResult(MarketingCloudCallback Callback, CallbackProblem Problem, CallbackField? ProblemField = null)
    : IDisposable
{
    public static CallbackReadResult Unreadable { get; } = new(MarketingCloudCallback.Empty, CallbackProblem.Unreadable);

    public bool IsValid => Problem == CallbackProblem.None;

    /// <summary>A sentence for the event's <c>invalidReason</c> and for logs; never carries field values.</summary>
    public string? Describe() => Problem switch
    {
        CallbackProblem.None => null,
        CallbackProblem.MissingRequestId => "the form has no RequestID",
        CallbackProblem.ConflictingField => $"the field {CallbackFieldNames.NameOf(ProblemField!.Value)} appears more than once with different values",
        CallbackProblem.MalformedPercentEncoding => "the form has a '%' that is not followed by two hexadecimal digits",
        CallbackProblem.NotUtf8 => "the form has a name or value that is not UTF-8",
        CallbackProblem.ControlCharacterInRequestId => "the field RequestID holds control characters",
        CallbackProblem.Unreadable => "the callback could not be read; only its raw body is kept",
        _ => Problem.ToString(),
    };

    public void Dispose() => Callback.Release();
}
