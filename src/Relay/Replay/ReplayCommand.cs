using System.CommandLine;
using System.Globalization;
using Relay.Commands;
using Relay.Publishing;

namespace Relay.Replay;

/// <summary>
/// <c>Relay replay</c>: republishes archived events, chosen by time, request id and routing key, to a
/// queue or an exchange. It shares the server's configuration and <c>--Key=value</c> overrides but reads
/// only the broker's settings.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var since = TimeOption("--since", "Replay events received at or after this time (ISO 8601, e.g. 2026-12-01T08:00:00Z; UTC when no offset is given).");
        var until = TimeOption("--until", "Replay events received before this time (ISO 8601). Default: when the replay starts.");
        var requestIds = new Option<string[]>("--request-id")
        {
            Description = "Replay only the events of this RequestID; repeat for several.",
        };
        var routingKey = new Option<string?>("--routing-key")
        {
            Description = "Replay only events whose routing key matches this topic pattern (callback.error, callback.#).",
        };
        var toQueue = new Option<string?>("--to-queue") { Description = "Publish to this queue (through the default exchange)." };
        var toExchange = new Option<string?>("--to-exchange")
        {
            Description = "Publish to this exchange, each event with its own routing key.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be replayed; publish nothing." };

        var command = new Command("replay", "Republish events from the archive stream ({Relay:RabbitMq:Exchange}.archive). " +
            "Configuration keys are overridden as for the server: --Relay:RabbitMq:Uri=amqps://...")
        {
            since, until, requestIds, routingKey, toQueue, toExchange, dryRun,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parsed, cancellationToken) =>
        {
            ReplayRequest? request = null;
            return CommandRun.RunWithServicesAsync("replay", parsed, error,
                () => TryRequest(parsed, since, until, requestIds, routingKey, toQueue, toExchange, dryRun, out request, out string? problem) ? null : problem,
                services =>
                {
                    services.AddRelayBrokerOptions();
                    services.AddSingleton<ArchiveReplayer>();
                },
                provider => RunAsync(provider.GetRequiredService<ArchiveReplayer>(), request!, output, error, cancellationToken));
        });
        return command;
    }

    private static async Task<int> RunAsync(ArchiveReplayer replayer, ReplayRequest request, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        // Progress on a terminal only: a line rewritten in place on standard error.
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        Action<ReplaySummary>? progress = terminal ? summary => error.Write("\r" + summary.Describe(request.DryRun) + "   ") : null;
        try
        {
            var summary = await replayer.RunAsync(request, progress, cancellationToken);
            if (terminal)
            {
                await error.WriteLineAsync();
            }

            await output.WriteLineAsync(summary.Describe(request.DryRun));
            if (summary.Returned > 0)
            {
                await error.WriteLineAsync($"Relay replay: {summary.Returned} events were returned by {request.Target}: no queue is bound for their routing key");
                return CommandRun.Failed;
            }

            return 0;
        }
        catch (ReplayException ex)
        {
            await error.WriteLineAsync("Relay replay: " + ex.Message);
            return CommandRun.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Relay replay: interrupted; what was published so far stays published");
            return CommandRun.Failed;
        }
    }

    private static bool TryRequest(ParseResult parsed, Option<DateTimeOffset?> since, Option<DateTimeOffset?> until,
        Option<string[]> requestIds, Option<string?> routingKey, Option<string?> toQueue, Option<string?> toExchange, Option<bool> dryRun,
        out ReplayRequest? request, out string? problem)
    {
        request = null;
        var from = parsed.GetValue(since);
        var to = parsed.GetValue(until);
        if (from is { } start && to is { } end && end <= start)
        {
            problem = "--until must be later than --since";
            return false;
        }

        string[] ids = parsed.GetValue(requestIds) ?? [];
        if (ids.Any(string.IsNullOrWhiteSpace))
        {
            problem = "--request-id must not be empty";
            return false;
        }

        TopicPattern? pattern = null;
        if (parsed.GetValue(routingKey) is { } text && !TopicPattern.TryParse(text, out pattern, out string? patternProblem))
        {
            problem = $"--routing-key '{text}' {patternProblem}";
            return false;
        }

        string? queue = parsed.GetValue(toQueue);
        string? exchange = parsed.GetValue(toExchange);
        bool dry = parsed.GetValue(dryRun);
        if (queue is not null && exchange is not null)
        {
            problem = "give --to-queue or --to-exchange, not both";
            return false;
        }

        if (queue is null && exchange is null && !dry)
        {
            problem = "give --to-queue QUEUE or --to-exchange EXCHANGE, or --dry-run to count only";
            return false;
        }

        if ((queue ?? exchange) is { } name && (string.IsNullOrWhiteSpace(name) || System.Text.Encoding.UTF8.GetByteCount(name) > 255))
        {
            problem = $"{(queue is not null ? "--to-queue" : "--to-exchange")} must be a name of 1 to 255 bytes";
            return false;
        }

        var target = queue is not null ? new ReplayTarget(IsQueue: true, queue) : exchange is not null ? new ReplayTarget(IsQueue: false, exchange) : null;
        request = new ReplayRequest(from, to, new HashSet<string>(ids, StringComparer.Ordinal), pattern, target, dry);
        problem = null;
        return true;
    }

    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not an ISO 8601 date and time (e.g. 2026-12-01T08:00:00Z)");
            return null;
        },
    };
}
