namespace Relay.Outbox;

/// <summary><c>Relay:Outbox</c>: where accepted events wait while the broker cannot confirm them.</summary>
internal sealed class OutboxOptions
{
    public const string Section = "Relay:Outbox";

    /// <summary>The folder of the outbox database (<c>outbox.db</c>); relative to the content root.</summary>
    public string Path { get; set; } = "data/outbox";

    /// <summary>Most events the outbox holds; past it, callbacks that cannot be confirmed get 503.</summary>
    public long MaxEntries { get; set; } = 1_000_000;

    /// <summary>Most bytes of event bodies the outbox holds; past it, callbacks that cannot be confirmed get 503.</summary>
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
