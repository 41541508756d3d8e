namespace Relay.Archive;

/// <summary><c>Relay:Archive</c>: the stream that keeps every event Relay publishes, for replays.</summary>
internal sealed class ArchiveOptions
{
    public const string Section = "Relay:Archive";

    /// <summary>Declare the stream and bind it to the exchange; when false nothing is declared.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long events are kept (the stream's <c>x-max-age</c>); Marketing Cloud's own retention.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most the stream holds on disk (its <c>x-max-length-bytes</c>).</summary>
    public long MaxBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>The stream of an exchange: <c>{Exchange}.archive</c>.</summary>
    public static string StreamOf(string exchange) => exchange + ".archive";
}
