using Relay.Core.Callbacks;

namespace Relay.Core.Events;

/// <summary>
/// The <c>data</c> of a callback event, from its callback or, with <see cref="Recovery"/> set, from the
/// ResultMessage Marketing Cloud keeps for it; written by <see cref="CallbackEventDataWriter"/>.
/// </summary>
internal sealed record CallbackEventData(
    MarketingCloudCallback Callback,
    ResultDetailXmlLimits ResultDetailLimits,
    string? InvalidReason,
    ReadOnlyMemory<byte> RawBody,
    string? Recovery = null) : IEventData
{
    public string Type => CallbackEventOptions.EventType;

    public void WriteTo(JsonBuffer json) => CallbackEventDataWriter.WriteData(json, this);
}
