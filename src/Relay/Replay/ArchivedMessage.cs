using RabbitMQ.Client;

namespace Relay.Replay;

/// <summary>One message read from the archive stream, its body copied out of the client's buffer.</summary>
internal sealed record ArchivedMessage(string RoutingKey, IReadOnlyBasicProperties Properties, byte[] Body)
{
    /// <summary>The header a replay adds, so that consumers (and later replays) can tell a replayed copy.</summary>
    public const string ReplayedHeader = "relay-replayed";

    /// <summary>The header that names the replay run a copy came from.</summary>
    public const string ReplayIdHeader = "relay-replay-id";

    /// <summary>The offset header the broker adds to each message a stream delivers.</summary>
    public const string StreamOffsetHeader = "x-stream-offset";

    public bool IsCopyOf(string replayId) =>
        Properties.Headers?.TryGetValue(ReplayIdHeader, out object? value) == true && value is byte[] id
        && System.Text.Encoding.UTF8.GetString(id) == replayId;

    public bool IsReplayed => Properties.Headers?.TryGetValue(ReplayedHeader, out object? value) == true && value is true;
}
