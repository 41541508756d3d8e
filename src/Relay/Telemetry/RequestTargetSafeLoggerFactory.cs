namespace Relay.Telemetry;

/// <summary>
/// The logger factory, with the categories that record a request's target as it arrived silenced whatever
/// the logging configuration says: a callback URL's last segment is a secret token, and these log before
/// any middleware can take it off. A filter rule cannot silence them reliably, since a provider-specific
/// rule (<c>Logging:Console:LogLevel</c>) wins over a rule for all providers.
/// <list type="bullet">
/// <item>ASP.NET Core's hosting diagnostics log every request's path ("Request starting") and put it into
/// a scope that every log record of the request carries.</item>
/// <item>Kestrel's bad-request log quotes the offending request line. Bad requests stay visible in
/// Kestrel's metrics (<c>kestrel.connection.duration</c> by <c>error.type</c>).</item>
/// </list>
/// Traces and metrics tell the same story with the path redacted.
/// </summary>
internal sealed class RequestTargetSafeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private static readonly HashSet<string> Silenced = new(
        ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Server.Kestrel.BadRequests"], StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        Silenced.Contains(categoryName) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
