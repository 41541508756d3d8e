using Relay.Events;

namespace Relay.Callbacks;

/// <summary><c>Relay:Callbacks</c>: the callback endpoint and the events it makes.</summary>
internal sealed class CallbackOptions
{
    public const string Section = "Relay:Callbacks";

    /// <summary>Path of the callback endpoint on the Public listener.</summary>
    public string Path { get; set; } = "/marketing-cloud/callbacks";

    /// <summary>The events' <c>source</c> attribute (a URI reference).</summary>
    public string Source { get; set; } = CallbackEventOptions.DefaultSource;

    /// <summary>Largest accepted body; past it, 413.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>ResultDetailXML longer than this is kept raw and not parsed.</summary>
    public int ResultDetailMaxCharacters { get; set; } = ResultDetailXmlLimits.Default.MaxCharacters;

    /// <summary>ResultDetailXML nested deeper than this is kept raw and not parsed.</summary>
    public int ResultDetailMaxDepth { get; set; } = ResultDetailXmlLimits.Default.MaxDepth;

    public CallbackEventOptions ToEventOptions() =>
        new(Source, new ResultDetailXmlLimits(ResultDetailMaxCharacters, ResultDetailMaxDepth));
}
