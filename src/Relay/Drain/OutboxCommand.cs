using System.CommandLine;
using Microsoft.Data.Sqlite;
using Relay.Commands;
using Relay.Publishing;

namespace Relay.Drain;

/// <summary>
/// <c>Relay outbox drain --path DIR</c>: forwards an orphaned outbox, from another host or an instance that
/// is gone, with confirms; exits 1 when anything is left in it. Shares the server's configuration (the broker).
/// </summary>
internal static class OutboxCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var path = new Option<string>("--path") { Description = "The folder holding the orphaned outbox.db.", Required = true };
        var drain = new Command("drain", "Forward every event of an orphaned outbox to the exchange, with confirms.") { path };
        drain.TreatUnmatchedTokensAsErrors = false;
        drain.SetAction((parsed, cancellationToken) => CommandRun.RunWithServicesAsync("outbox drain", parsed, error, () => null,
            services =>
            {
                services.AddRelayBrokerOptions();
                services.AddSingleton<OutboxDrainer>();
            },
            async provider =>
            {
                try
                {
                    var summary = await provider.GetRequiredService<OutboxDrainer>().DrainAsync(parsed.GetValue(path)!, cancellationToken);
                    await output.WriteLineAsync(summary.ToString());
                    return summary.Left == 0 ? 0 : CommandRun.Failed;
                }
                catch (DrainException ex)
                {
                    await error.WriteLineAsync("Relay outbox drain: " + ex.Message);
                    return CommandRun.BadInput;
                }
                catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync("Relay outbox drain: " + ex.Message);
                    return CommandRun.Failed;
                }
            }));

        return new Command("outbox", "The local outbox of another instance: drain it.") { drain };
    }
}
