namespace Relay.Publishing;

/// <summary><c>Relay:RabbitMq</c>: where events are published.</summary>
internal sealed class RabbitMqOptions
{
    public const string Section = "Relay:RabbitMq";

    /// <summary>amqp:// or amqps:// URI of the broker, credentials and virtual host included.</summary>
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>
    /// The nodes of a cluster, <c>host</c> or <c>host:port</c>: when set, Relay connects to any of them (in
    /// random order) with the URI's credentials, virtual host and TLS settings, and after losing one,
    /// to another. Empty means the URI's host alone.
    /// </summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>The durable topic exchange events are published to; declared when missing.</summary>
    public string Exchange { get; set; } = "marketing-cloud";

    /// <summary>
    /// The alternate exchange and durable queue that keep events no consumer queue is bound for.
    /// Empty means <c>{Exchange}.unrouted</c>.
    /// </summary>
    public string UnroutedQueue { get; set; } = string.Empty;

    /// <summary>
    /// <c>quorum</c> (replicated on a cluster, the default) or <c>classic</c>: the type the unrouted queue is
    /// declared with. A queue that exists with another type is used as it is.
    /// </summary>
    public string UnroutedQueueType { get; set; } = QuorumQueueType;

    public const string QuorumQueueType = "quorum";
    public const string ClassicQueueType = "classic";

    /// <summary>How long a publish may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The largest event body published; a larger event is published as a small stand-in and kept whole
    /// in quarantine. RabbitMQ 4 refuses messages over 16 MiB by default (3.10: 128 MiB).
    /// </summary>
    public long MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The longest pause between two attempts to (re)connect; attempts back off up to it.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    public string UnroutedName => string.IsNullOrWhiteSpace(UnroutedQueue) ? Exchange + ".unrouted" : UnroutedQueue;
}
