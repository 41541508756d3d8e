using Relay.Callbacks;

namespace Relay.Events;

/// <summary>The <c>data</c> of a callback event; written by <see cref="CallbackEventDataWriter"/>.</summary>
internal sealed record CallbackEventData(
    MarketingCloudCallback Callback,
    ResultDetailXmlLimits ResultDetailLimits,
    string? InvalidReason,
    ReadOnlyMemory<byte> RawBody);
