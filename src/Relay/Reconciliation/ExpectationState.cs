using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Relay.Reconciliation;

/// <summary>
/// What reconciliation knows of an expectation beyond the producer's JSON, carried in the headers of the
/// message itself as it moves between the expectations queues: nothing else holds it, so a takeover
/// finds it where it left off.
/// </summary>
internal sealed record ExpectationState(DateTimeOffset RegisteredAt, int Retrieves, DateTimeOffset? LastRetrieveAt)
{
    private const string RegisteredHeader = "x-relay-registered";
    private const string RetrievesHeader = "x-relay-retrieves";
    private const string LastRetrieveHeader = "x-relay-last-retrieve";

    /// <summary>The state a message carries, or null for one a producer has just put there.</summary>
    public static ExpectationState? Read(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers is not { } headers || !TryLong(headers, RegisteredHeader, out long registered))
        {
            return null;
        }

        TryLong(headers, RetrievesHeader, out long retrieves);
        DateTimeOffset? last = TryLong(headers, LastRetrieveHeader, out long at) ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        return new ExpectationState(DateTimeOffset.FromUnixTimeMilliseconds(registered), (int)Math.Clamp(retrieves, 0, int.MaxValue), last);
    }

    /// <summary>How often the broker has delivered the message before (quorum queues' <c>x-delivery-count</c>).</summary>
    public static long DeliveryCount(IReadOnlyBasicProperties properties) =>
        properties.Headers is { } headers && TryLong(headers, "x-delivery-count", out long count) ? count : 0;

    public Dictionary<string, object?> Headers()
    {
        var headers = new Dictionary<string, object?>(3)
        {
            [RegisteredHeader] = RegisteredAt.ToUnixTimeMilliseconds(),
            [RetrievesHeader] = (long)Retrieves,
        };
        if (LastRetrieveAt is { } last)
        {
            headers[LastRetrieveHeader] = last.ToUnixTimeMilliseconds();
        }

        return headers;
    }

    private static bool TryLong(IDictionary<string, object?> headers, string name, out long value)
    {
        value = 0;
        if (!headers.TryGetValue(name, out object? raw))
        {
            return false;
        }

        switch (raw)
        {
            case long l:
                value = l;
                return true;
            case int i:
                value = i;
                return true;
            case byte[] text:
                return long.TryParse(Encoding.UTF8.GetString(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }
}
