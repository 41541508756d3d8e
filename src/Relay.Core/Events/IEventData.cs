namespace Relay.Core.Events;

/// <summary>What an event's envelope takes from its data: the CloudEvents <c>type</c>, the <c>recovery</c> extension, the <c>data</c> itself.</summary>
internal interface IEventData
{
    string Type { get; }

    /// <summary>How an event that is not its callback was recovered (<c>resultmessage</c>); null for a callback's own event.</summary>
    string? Recovery { get; }

    void WriteTo(JsonBuffer json);
}
