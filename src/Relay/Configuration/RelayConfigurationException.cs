namespace Relay.Configuration;

/// <summary>
/// Configuration Relay cannot work with: one message per bad key, each naming it. Relay (or a subcommand)
/// prints them and exits with code 2; nothing else is taken for a configuration error.
/// </summary>
internal sealed class RelayConfigurationException : Exception
{
    public RelayConfigurationException(IReadOnlyList<string> failures, Exception? innerException = null)
        : base(string.Join("; ", failures), innerException) => Failures = failures;

    public IReadOnlyList<string> Failures { get; }

    /// <summary>Prints the failures as Relay does at start, under <paramref name="heading"/>.</summary>
    public async Task PrintAsync(TextWriter error, string heading)
    {
        await error.WriteLineAsync(heading);
        foreach (string failure in Failures)
        {
            await error.WriteLineAsync("  - " + failure);
        }
    }
}
