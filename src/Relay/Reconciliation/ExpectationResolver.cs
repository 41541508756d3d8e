using System.Diagnostics.CodeAnalysis;
using Relay.Callbacks;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

/// <summary>
/// The source an expectation is of and the account its ResultMessage is retrieved with, or why it cannot
/// be reconciled: the one check, for the queue and for <c>POST /expectations</c>.
/// </summary>
internal sealed class ExpectationResolver(CallbackSources sources, MarketingCloudAccounts accounts)
{
    public bool TryResolve(Expectation expectation, [NotNullWhen(true)] out CallbackSource? source,
        [NotNullWhen(true)] out MarketingCloudAccount? account, [NotNullWhen(false)] out string? problem)
    {
        account = null;
        problem = !sources.ByName.TryGetValue(expectation.Source, out source)
            ? $"source '{expectation.Source}' is not configured (Relay:Callbacks:Sources)"
            : !accounts.TryGet(source.Name, out account)
                ? $"source '{source.Name}' has no Relay:Callbacks:Sources:{source.Name}:MarketingCloud credentials to retrieve with"
                : null;
        return problem is null;
    }
}
