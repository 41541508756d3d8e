using System.Text.Json.Serialization;
using Relay.Callbacks;

namespace Relay.Events;

/// <summary>The <c>data</c> of a callback event; written by <see cref="CallbackEventDataConverter"/>.</summary>
[JsonConverter(typeof(CallbackEventDataConverter))]
internal sealed record CallbackEventData(
    MarketingCloudCallback Callback,
    ResultDetailXmlLimits ResultDetailLimits,
    string? InvalidReason,
    ReadOnlyMemory<byte> RawBody);
