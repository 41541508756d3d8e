using Microsoft.AspNetCore.Routing.Matching;

namespace Relay.Edge;

/// <summary>
/// Keeps each endpoint on its listener: Admin endpoints (health, metrics) do not match on Public and
/// Public ones (callbacks, proxied routes) do not match on Admin, whatever the Host header says.
/// </summary>
internal sealed class ListenerMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var listener = httpContext.GetListener();
        for (int i = 0; i < candidates.Count; i++)
        {
            var required = candidates[i].Endpoint.Metadata.GetMetadata<ListenerMetadata>()?.Listener ?? RelayListener.Public;
            if (required != listener)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
