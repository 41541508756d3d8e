namespace Relay.Configuration;

/// <summary>The <c>Relay</c> section as a whole; validated only for keys that no feature reads.</summary>
internal sealed class RelaySectionOptions
{
    public const string Section = "Relay";

    /// <summary>The sections under <c>Relay</c>, one per feature.</summary>
    public static IReadOnlySet<string> KnownSections { get; } =
        new HashSet<string>(["Allowlist", "ForwardedHeaders", "Callbacks", "RabbitMq", "Outbox", "Shutdown", "RateLimit", "Archive", "Reconciliation"], StringComparer.OrdinalIgnoreCase);
}
