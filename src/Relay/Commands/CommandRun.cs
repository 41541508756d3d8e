using System.CommandLine;
using Relay.Configuration;

namespace Relay.Commands;

/// <summary>What every subcommand shares: its exit codes, and how it gets its services from the server's configuration.</summary>
internal static class CommandRun
{
    /// <summary>Exit code of a command given arguments or configuration it cannot work with.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code of a command that started but could not finish its work.</summary>
    public const int Failed = 1;

    /// <summary>
    /// The common part of a subcommand's action: its <c>--Key=value</c> overrides collected, its services
    /// built from the server's configuration, exit code 2 for either failing, then <paramref name="run"/>.
    /// </summary>
    /// <param name="check">The command's own arguments: why they cannot work, or null.</param>
    public static async Task<int> RunWithServicesAsync(string name, ParseResult parsed, TextWriter error, Func<string?> check,
        Action<IServiceCollection> services, Func<IServiceProvider, Task<int>> run)
    {
        if (!ConfigurationOverrides.TryCollect(parsed.UnmatchedTokens, out string[] overrides, out string? problem)
            || (problem = check()) is not null)
        {
            await error.WriteLineAsync($"Relay {name}: {problem}");
            return BadInput;
        }

        using var host = await BuildHostAsync(overrides, services, error);
        return host is null ? BadInput : await run(host.Services);
    }

    /// <summary>Builds a command's services, and reports configuration it cannot use as the server does.</summary>
    public static async Task<IHost?> BuildHostAsync(string[] overrides, Action<IServiceCollection> services, TextWriter error)
    {
        try
        {
            return CommandHost.Build(overrides, services);
        }
        catch (RelayConfigurationException ex)
        {
            await ex.PrintAsync(error, "Relay cannot run the command; fix its configuration:");
            return null;
        }
    }
}
