using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using Relay.Fuzz;

namespace Relay.Infrastructure;

/// <summary>A message as a consumer received it: copied out of the client's buffers.</summary>
internal sealed record ReceivedMessage(
    string RoutingKey,
    string? MessageId,
    string? ContentType,
    DeliveryModes DeliveryMode,
    long Timestamp,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    /// <summary>
    /// Why a Relay event (content type <c>application/cloudevents+json</c>) does not conform to the published
    /// contract (<see cref="EventContract"/>), or null; checked as it arrives, asserted where tests take it.
    /// </summary>
    public string? ContractProblem { get; init; }

    /// <summary>The message, after asserting that it conforms to the contract when it is a Relay event.</summary>
    public ReceivedMessage Conforming()
    {
        Assert.True(ContractProblem is null, $"An event under '{RoutingKey}' breaks the event contract: {ContractProblem}");
        return this;
    }

    public static ReceivedMessage From(string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        new(routingKey,
            properties.MessageId,
            properties.ContentType,
            properties.DeliveryMode,
            properties.Timestamp.UnixTime,
            (properties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
                header => header.Key,
                header => header.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(header.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
            body.ToArray())
        {
            ContractProblem = properties.ContentType == "application/cloudevents+json" ? EventContract.Problem(routingKey, body.Span) : null,
        };

    public JsonDocument Json() => JsonDocument.Parse(Body);

    /// <summary>The event's <c>subject</c>: the callback's RequestID.</summary>
    public string? Subject
    {
        get
        {
            using var json = Json();
            return json.RootElement.TryGetProperty("subject", out var subject) ? subject.GetString() : null;
        }
    }
}
