namespace Relay.Core.Events;

/// <summary>The data of an ENS event: the object exactly as sent (already checked to be well-formed JSON).</summary>
internal sealed class EnsEventData(string type, ReadOnlyMemory<byte> raw) : IEventData
{
    public string Type { get; } = type;

    public string? Recovery => null;

    public void WriteTo(JsonBuffer json) => json.Raw(raw.Span);
}
