using System.CommandLine;
using Relay.Configuration;
using Relay.Drain;
using Relay.Quarantine;
using Relay.Replay;

namespace Relay.Commands;

/// <summary>
/// The subcommands of the Relay executable (<c>Relay replay ...</c>). Without one, the executable is the
/// server and its arguments are configuration, as before.
/// </summary>
internal static class RelayCommands
{
    /// <summary>Exit code of a command given arguments or configuration it cannot work with.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code of a command that started but could not finish its work.</summary>
    public const int Failed = 1;

    private static readonly HashSet<string> Names = new(["replay", "quarantine", "outbox"], StringComparer.Ordinal);

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Relay: Marketing Cloud callbacks to RabbitMQ. Without a subcommand it runs the server.")
        {
            ReplayCommand.Create(output, error),
            QuarantineCommand.Create(output, error),
            OutboxCommand.Create(output, error),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync("Relay: " + problem.Message);
            }

            return BadInput;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

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
