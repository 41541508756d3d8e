using Relay.Core.Reconciliation;

namespace Relay.Core.Events;

/// <summary>
/// The <c>data</c> of a <c>callback.missing</c> event: the expectation, when it was registered, and the
/// retrieves that found no final ResultMessage before Marketing Cloud's retention ran out.
/// </summary>
internal sealed record MissingEventData(Expectation Expectation, DateTimeOffset RegisteredAt, int Retrieves, DateTimeOffset? LastRetrieveAt) : IEventData
{
    public string Type => CallbackEventOptions.MissingEventType;

    public string? Recovery => null;

    public void WriteTo(JsonBuffer json)
    {
        json.StartObject();
        json.Name("requestId"u8);
        json.String(Expectation.RequestId);
        json.Name("conversationId"u8);
        json.String(Expectation.ConversationId);
        json.Name("respondWhen"u8);
        json.String(Expectation.RespondWhen);
        WriteTime(json, "submittedAt"u8, Expectation.SubmittedAt);
        WriteTime(json, "registeredAt"u8, RegisteredAt);
        json.Name("retrieves"u8);
        json.Number(Retrieves);
        WriteTime(json, "lastRetrieveAt"u8, LastRetrieveAt);
        json.EndObject();
    }

    private static void WriteTime(JsonBuffer json, ReadOnlySpan<byte> name, DateTimeOffset? time)
    {
        json.Name(name);
        if (time is { } value)
        {
            json.Timestamp(value);
        }
        else
        {
            json.Null();
        }
    }
}
