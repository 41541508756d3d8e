using System.CommandLine;
using Microsoft.Data.Sqlite;
using Relay.Commands;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Quarantine;

/// <summary>
/// <c>Relay quarantine list | export ID [--output FILE] | retry ID</c>: the events kept whole because the
/// broker would not take them. Shares the server's configuration (the outbox path, the broker).
/// </summary>
internal static class QuarantineCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var list = new Command("list", "List the quarantined events.");
        Configure(list, error, (quarantine, _, _) =>
        {
            quarantine.List(output);
            return Task.FromResult(0);
        });

        var exportId = new Argument<long>("id") { Description = "The event's id in 'Relay quarantine list'." };
        var file = new Option<string?>("--output") { Description = "Write the event to this file instead of standard output." };
        var export = new Command("export", "Write a quarantined event, whole: its CloudEvent JSON.") { exportId, file };
        Configure(export, error, async (quarantine, parsed, _) =>
        {
            await quarantine.ExportAsync(parsed.GetValue(exportId), parsed.GetValue(file), output);
            return 0;
        });

        var retryId = new Argument<long>("id") { Description = "The event's id in 'Relay quarantine list'." };
        var retry = new Command("retry", "Publish a quarantined event again, whole, and take it out of quarantine once the broker confirms it.") { retryId };
        Configure(retry, error, async (quarantine, parsed, cancellationToken) =>
        {
            await output.WriteLineAsync(await quarantine.RetryAsync(parsed.GetValue(retryId), cancellationToken));
            return 0;
        });

        return new Command("quarantine", "Events too large for the broker, or refused by it: list, export, publish again.") { list, export, retry };
    }

    private static void Configure(Command command, TextWriter error,
        Func<QuarantineOperator, ParseResult, CancellationToken, Task<int>> run)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parsed, cancellationToken) => CommandRun.RunWithServicesAsync("quarantine", parsed, error, () => null,
            services =>
            {
                services.AddRelayBrokerOptions();
                services.AddRelayOutboxOptions();
                services.AddSingleton<QuarantineOperator>();
            },
            async provider =>
            {
                try
                {
                    return await run(provider.GetRequiredService<QuarantineOperator>(), parsed, cancellationToken);
                }
                catch (Exception ex) when (ex is QuarantineException or SqliteException or IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync("Relay quarantine: " + ex.Message);
                    return CommandRun.Failed;
                }
            }));
    }
}
