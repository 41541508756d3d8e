using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

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
    public static ReceivedMessage From(string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        new(routingKey,
            properties.MessageId,
            properties.ContentType,
            properties.DeliveryMode,
            properties.Timestamp.UnixTime,
            (properties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
                header => header.Key,
                header => header.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(header.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
            body.ToArray());

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
