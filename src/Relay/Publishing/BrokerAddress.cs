namespace Relay.Publishing;

internal static class BrokerAddress
{
    /// <summary>The broker URI for logs: scheme, host, port and virtual host, never the credentials.</summary>
    public static string Describe(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
            ? $"{parsed.Scheme}://{parsed.Host}:{(parsed.IsDefaultPort ? (parsed.Scheme == "amqps" ? 5671 : 5672) : parsed.Port)}{parsed.AbsolutePath}"
            : "(invalid broker URI)";
}
