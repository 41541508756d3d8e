using System.CommandLine;
using Relay.Commands;
using Relay.Drain;
using Relay.Ens;
using Relay.Quarantine;
using Relay.Replay;

namespace Relay;

/// <summary>
/// The subcommands of the Relay executable (<c>Relay replay ...</c>), listed here at the composition root
/// beside <see cref="Program"/>. Without one, the executable is the server and its arguments are
/// configuration, as before. What the subcommands share is in <see cref="CommandRun"/>.
/// </summary>
internal static class RelayCommands
{
    private static readonly HashSet<string> Names = new(["replay", "quarantine", "outbox", "ens"], StringComparer.Ordinal);

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Relay: Marketing Cloud callbacks to RabbitMQ. Without a subcommand it runs the server.")
        {
            ReplayCommand.Create(output, error),
            QuarantineCommand.Create(output, error),
            OutboxCommand.Create(output, error),
            EnsCommand.Create(output, error),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync("Relay: " + problem.Message);
            }

            return CommandRun.BadInput;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}
