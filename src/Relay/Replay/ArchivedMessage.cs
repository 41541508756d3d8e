using RabbitMQ.Client;

namespace Relay.Replay;

/// <summary>One message read from the archive stream, its body copied out of the client's buffer.</summary>
internal sealed record ArchivedMessage(string RoutingKey, IReadOnlyBasicProperties Properties, byte[] Body)
{
    /// <summary>The header a replay adds, so that consumers (and later replays) can tell a replayed copy.</summary>
    public const string ReplayedHeader = "relay-replayed";

    /// <summary>The header that names the replay run a copy came from.</summary>
    public const string ReplayIdHeader = "relay-replay-id";

    /// <summary>
    /// The header of the marker a replay appends to the stream as it starts, naming the run: where the
    /// stream ended then, which the run reads up to however long the broker takes. Not an event.
    /// </summary>
    public const string EndOfReplayHeader = "relay-replay-end";

    /// <summary>The offset header the broker adds to each message a stream delivers.</summary>
    public const string StreamOffsetHeader = "x-stream-offset";

    public bool IsCopyOf(string replayId) =>
        Properties.Headers?.TryGetValue(ReplayIdHeader, out object? value) == true && value is byte[] id
        && System.Text.Encoding.UTF8.GetString(id) == replayId;

    /// <summary>Whether this is a replay's end marker; <paramref name="replayId"/> says whose.</summary>
    public bool IsEndMarker(out string replayId)
    {
        replayId = Properties.Headers?.TryGetValue(EndOfReplayHeader, out object? value) == true && value is byte[] id
            ? System.Text.Encoding.UTF8.GetString(id)
            : string.Empty;
        return replayId.Length > 0;
    }

    public bool IsReplayed => Properties.Headers?.TryGetValue(ReplayedHeader, out object? value) == true && value is true;
}
