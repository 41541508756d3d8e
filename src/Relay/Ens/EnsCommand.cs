using System.CommandLine;
using Relay.Callbacks;
using Relay.Commands;
using Relay.MarketingCloud;

namespace Relay.Ens;

/// <summary>
/// <c>Relay ens list | create | subscribe</c>: a source's ENS callbacks and subscriptions, managed with its
/// <c>MarketingCloud</c> credentials. Shares the server's configuration. Bad input exits 2 naming the
/// argument; a call Marketing Cloud refuses exits 1 with its message.
/// </summary>
internal static class EnsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var listSource = SourceOption();
        var list = new Command("list", "List the account's ENS callbacks and subscriptions (JSON).") { listSource };
        Configure(list, listSource, error, _ => null, async (ens, parsed, source, cancellationToken) =>
        {
            await output.WriteLineAsync(await ens.ListAsync(source, cancellationToken));
            return 0;
        });

        var createSource = SourceOption();
        var url = new Option<string>("--url")
        {
            Description = "Relay's public base URL, https://host[/path]: the callback's URL is it, then Relay:Ens:Path and the source's first token.",
            Required = true,
        };
        var createName = new Option<string?>("--name") { Description = "The callback's name. Default: relay-<source>." };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Events per batch, 100 to 1000. Default: 1000.", DefaultValueFactory = _ => 1000 };
        var create = new Command("create",
            "Create an ENS callback for Relay's URL and print its id and signature key (shown once: put it in Relay:Callbacks:Sources:<source>:Ens:SignatureKeys).")
        {
            createSource, url, createName, maxBatch,
        };
        Configure(create, createSource, error,
            parsed => parsed.GetValue(maxBatch) is < 100 or > 1000 ? $"--max-batch-size: {parsed.GetValue(maxBatch)} is not between 100 and 1000" : null,
            async (ens, parsed, source, cancellationToken) =>
            {
                if (ens.CallbackUrl(source, parsed.GetValue(url)!, out string? problem) is not { } callbackUrl)
                {
                    await error.WriteLineAsync("Relay ens: " + problem);
                    return CommandRun.BadInput;
                }

                var (id, key) = await ens.CreateAsync(source, callbackUrl, parsed.GetValue(createName) ?? "relay-" + source, parsed.GetValue(maxBatch),
                    cancellationToken);
                await output.WriteLineAsync($"callbackId: {id}");
                await output.WriteLineAsync($"signatureKey: {key}");
                await error.WriteLineAsync($"Relay ens: the signature key is shown once: store it as Relay:Callbacks:Sources:{source}:Ens:SignatureKeys:0. " +
                    "ENS now posts its verification to Relay, which verifies the callback with the source's credentials.");
                return 0;
            });

        var subscribeSource = SourceOption();
        var callbackId = new Option<string>("--callback-id") { Description = "The callback to subscribe (from 'create' or 'list').", Required = true };
        var categories = new Option<string[]>("--category")
        {
            Description = "An event category, e.g. TransactionalSendEvents.EmailSent; repeat for several.",
            Required = true,
        };
        var subscriptionName = new Option<string?>("--name") { Description = "The subscription's name. Default: relay-<source>." };
        var subscribe = new Command("subscribe", "Subscribe a callback to event categories.") { subscribeSource, callbackId, categories, subscriptionName };
        Configure(subscribe, subscribeSource, error,
            parsed => string.IsNullOrWhiteSpace(parsed.GetValue(callbackId)) ? "--callback-id: empty"
                : parsed.GetValue(categories)!.FirstOrDefault(string.IsNullOrWhiteSpace) is not null ? "--category: empty"
                : null,
            async (ens, parsed, source, cancellationToken) =>
            {
                await output.WriteLineAsync(await ens.SubscribeAsync(source, parsed.GetValue(callbackId)!,
                    parsed.GetValue(subscriptionName) ?? "relay-" + source, parsed.GetValue(categories)!, cancellationToken));
                return 0;
            });

        return new Command("ens", "Marketing Cloud's Event Notification Service: list, create and subscribe callbacks with a source's credentials. " +
            "Configuration keys are overridden as for the server: --Relay:Callbacks:Sources:x:MarketingCloud:ClientId=...")
        {
            list, create, subscribe,
        };
    }

    private static Option<string> SourceOption() => new("--source")
    {
        Description = "The source (Relay:Callbacks:Sources:<name>) whose MarketingCloud credentials to call with.",
        Required = true,
    };

    private static void Configure(Command command, Option<string> sourceOption, TextWriter error, Func<ParseResult, string?> check,
        Func<EnsAdministration, ParseResult, string, CancellationToken, Task<int>> run)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parsed, cancellationToken) => CommandRun.RunWithServicesAsync("ens", parsed, error, () => check(parsed),
            services =>
            {
                services.AddRelayCallbackOptions();
                services.AddRelayEnsOptions();
                services.AddSingleton<EnsAdministration>();
            },
            async provider =>
            {
                var ens = provider.GetRequiredService<EnsAdministration>();
                string source = parsed.GetValue(sourceOption)!;
                if (ens.Problem(source) is { } problem)
                {
                    await error.WriteLineAsync("Relay ens: " + problem);
                    return CommandRun.BadInput;
                }

                try
                {
                    return await run(ens, parsed, source, cancellationToken);
                }
                catch (MarketingCloudException ex)
                {
                    await error.WriteLineAsync("Relay ens: " + ex.Message);
                    return CommandRun.Failed;
                }
            }));
    }
}
