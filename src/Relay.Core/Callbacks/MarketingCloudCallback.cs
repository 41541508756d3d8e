using System.Text;
using Relay.Core.Memory;

namespace Relay.Core.Callbacks;

/// <summary>
/// The ten fields of one Marketing Cloud asynchronous-API callback, as posted. Empty fields are null.
/// Read from a form, ResultDetailXML stays the UTF-8 it arrived as, in a rented buffer the read gives back
/// (<see cref="CallbackReadResult.Dispose"/>); <see cref="ResultDetailXml"/> decodes it when asked.
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
    private readonly string? _resultDetailXml = ResultDetailXml;
    private readonly RentedUtf8? _resultDetailXmlUtf8;

    /// <summary>The form reader's: the text fields by <see cref="CallbackField"/>, ResultDetailXML as its UTF-8.</summary>
    internal MarketingCloudCallback(string?[] values, RentedUtf8? resultDetailXml)
        : this(
            values[(int)CallbackField.RequestId],
            values[(int)CallbackField.ConversationId],
            values[(int)CallbackField.OverallStatusCode],
            values[(int)CallbackField.StatusCode],
            values[(int)CallbackField.StatusMessage],
            values[(int)CallbackField.ErrorCode],
            values[(int)CallbackField.RequestType],
            values[(int)CallbackField.ResultType],
            ResultDetailXml: null,
            values[(int)CallbackField.SequenceCode])
    {
        _resultDetailXmlUtf8 = resultDetailXml;
    }

    public static MarketingCloudCallback Empty { get; } = new(null, null, null, null, null, null, null, null, null, null);

    public string? ResultDetailXml
    {
        get => _resultDetailXml ?? _resultDetailXmlUtf8?.ToString();
        init => _resultDetailXml = value;
    }

    internal bool HasResultDetailXml => _resultDetailXml is not null || _resultDetailXmlUtf8 is not null;

    /// <summary>
    /// ResultDetailXML in UTF-8: the bytes it arrived as, or the string's encoding in <paramref name="rented"/>
    /// (ill-formed UTF-16 becomes U+FFFD), which the caller gives back to <see cref="ByteBuffers"/>.
    /// </summary>
    internal ReadOnlySpan<byte> ResultDetailXmlUtf8(out byte[]? rented)
    {
        rented = null;
        if (_resultDetailXmlUtf8 is { } utf8)
        {
            return utf8.Span;
        }

        if (_resultDetailXml is not { } text)
        {
            return default;
        }

        rented = ByteBuffers.Rent(Encoding.UTF8.GetByteCount(text));
        return rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented));
    }

    /// <summary>Gives the rented ResultDetailXML back; <see cref="ResultDetailXml"/> cannot be read after.</summary>
    internal void Release() => _resultDetailXmlUtf8?.Dispose();

    /// <summary>
    /// The fields as a record prints them, but ResultDetailXML by its size: it can be megabytes, and once the
    /// read is disposed its bytes are given back, so printing it (a log, a debugger, a failed assertion)
    /// would throw.
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("RequestId = ").Append(RequestId)
            .Append(", ConversationId = ").Append(ConversationId)
            .Append(", OverallStatusCode = ").Append(OverallStatusCode)
            .Append(", StatusCode = ").Append(StatusCode)
            .Append(", StatusMessage = ").Append(StatusMessage)
            .Append(", ErrorCode = ").Append(ErrorCode)
            .Append(", RequestType = ").Append(RequestType)
            .Append(", ResultType = ").Append(ResultType)
            .Append(", ResultDetailXml = ");
        if (HasResultDetailXml)
        {
            long bytes = _resultDetailXml is { } text ? Encoding.UTF8.GetByteCount(text) : _resultDetailXmlUtf8!.Length;
            builder.Append('(').Append(bytes).Append(" bytes)");
        }

        builder.Append(", SequenceCode = ").Append(SequenceCode);
        return true;
    }

    public bool Equals(MarketingCloudCallback? other) =>
        other is not null
        && RequestId == other.RequestId && ConversationId == other.ConversationId && OverallStatusCode == other.OverallStatusCode
        && StatusCode == other.StatusCode && StatusMessage == other.StatusMessage && ErrorCode == other.ErrorCode
        && RequestType == other.RequestType && ResultType == other.ResultType && ResultDetailXml == other.ResultDetailXml
        && SequenceCode == other.SequenceCode;

    public override int GetHashCode() => HashCode.Combine(RequestId, ConversationId, OverallStatusCode, StatusCode, StatusMessage, ResultDetailXml);
}
