using System.Globalization;
using System.Text.Json;
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

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("requestId", Expectation.RequestId);
        writer.WriteString("conversationId", Expectation.ConversationId);
        writer.WriteString("respondWhen", Expectation.RespondWhen);
        WriteTime(writer, "submittedAt", Expectation.SubmittedAt);
        WriteTime(writer, "registeredAt", RegisteredAt);
        writer.WriteNumber("retrieves", Retrieves);
        WriteTime(writer, "lastRetrieveAt", LastRetrieveAt);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
