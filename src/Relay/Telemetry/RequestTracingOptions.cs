namespace Relay.Telemetry;

/// <summary>
/// Which requests get a server span, and the path a span records: set by the features that know (the edge
/// traces the Public listener's requests; callbacks take the secret token off the path), so that the
/// telemetry wiring needs to know no feature.
/// </summary>
internal sealed class RequestTracingOptions
{
    /// <summary>Whether a request is traced; all of them unless a feature says otherwise.</summary>
    public Func<HttpContext, bool> IsTraced { get; set; } = static _ => true;

    /// <summary>The path as a span records it (<c>url.path</c>); as it is unless a feature says otherwise.</summary>
    public Func<string, string> RecordedPath { get; set; } = static path => path;
}
