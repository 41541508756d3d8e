namespace Relay.Edge;

/// <summary>
/// ASP.NET Core's own forwarded-headers switch: with <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> (which
/// some hosting platforms set for every app) or the key <c>ForwardedHeaders_Enabled</c>, the framework puts
/// its forwarded-headers middleware ahead of every other, with empty trust lists, and anyone's
/// X-Forwarded-For would then pass the allowlist. Relay believes forwarded headers only through
/// <c>Relay:ForwardedHeaders</c>: the framework's middleware is taken out, and the switch is answered with
/// a warning.
/// </summary>
internal static partial class ForwardedHeadersSwitch
{
    public const string Key = "ForwardedHeaders_Enabled";

    /// <summary>The framework registers its start-up filter whatever the switch says and reads it later.</summary>
    private const string FrameworkFilter = "ForwardedHeadersStartupFilter";

    public static void Neutralize(IServiceCollection services)
    {
        for (int i = services.Count - 1; i >= 0; i--)
        {
            var service = services[i];
            if (service.ServiceType == typeof(IStartupFilter) && service.ImplementationType?.Name == FrameworkFilter)
            {
                services.RemoveAt(i);
            }
        }
    }

    public static void WarnIfOn(IConfiguration configuration, ILogger logger)
    {
        if (string.Equals(configuration[Key], "true", StringComparison.OrdinalIgnoreCase))
        {
            Log.Ignored(logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "ForwardedHeaders_Enabled (ASPNETCORE_FORWARDEDHEADERS_ENABLED) is set and ignored: Relay believes X-Forwarded-For only from the proxies in Relay:ForwardedHeaders")]
        public static partial void Ignored(ILogger logger);
    }
}
