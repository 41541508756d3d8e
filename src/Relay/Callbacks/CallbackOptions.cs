
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary><c>Relay:Callbacks</c>: the callback endpoint and the events it makes.</summary>
internal sealed class CallbackOptions
{
    public const string Section = "Relay:Callbacks";

    /// <summary>Path of the callback endpoint on the Public listener; callback URLs are <c>{Path}/{token}</c>.</summary>
    public string Path { get; set; } = "/marketing-cloud/callbacks";

    /// <summary>The base of the events' <c>source</c> attribute (a URI reference); each source appends its name.</summary>
    public string Source { get; set; } = CallbackEventOptions.DefaultSource;

    /// <summary>The sources allowed to post callbacks, each with its secret tokens.</summary>
    public Dictionary<string, CallbackSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Development only: accept callbacks at <c>{Path}</c> without a token. Marketing Cloud's addresses are
    /// shared by all its customers, so without a token any Marketing Cloud account can post to Relay.
    /// </summary>
    public bool AllowTokenless { get; set; }

    /// <summary>Largest accepted body; past it, 413.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The bytes of callbacks held at once: bodies while read and normalized, events while they wait for
    /// delivery. A callback that would go past it waits for room before its body is read.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// How long a body may take in all. Kestrel's minimum data rate is an average, so a body trickling just
    /// above it would hold its connection and buffer for hours; past this it is cut and nothing published.
    /// </summary>
    public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether Relay gives the memory of large callbacks back to the system once a burst of them is over,
    /// with a compacting full collection (<see cref="LargeCallbackReclaimer"/>); otherwise the GC keeps it
    /// for the next burst.
    /// </summary>
    public bool ReclaimAfterLargeCallbacks { get; set; } = true;

    /// <summary>ResultDetailXML longer than this is kept raw and not parsed.</summary>
    public int ResultDetailMaxCharacters { get; set; } = ResultDetailXmlLimits.Default.MaxCharacters;

    /// <summary>ResultDetailXML nested deeper than this is kept raw and not parsed.</summary>
    public int ResultDetailMaxDepth { get; set; } = ResultDetailXmlLimits.Default.MaxDepth;

    public CallbackEventOptions ToEventOptions(string source) =>
        new(source, new ResultDetailXmlLimits(ResultDetailMaxCharacters, ResultDetailMaxDepth));
}
