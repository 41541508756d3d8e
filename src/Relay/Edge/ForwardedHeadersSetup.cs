using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

/// <summary>
/// Configures ASP.NET Core's forwarded-headers middleware from <c>Relay:ForwardedHeaders</c>. Its defaults
/// trust loopback, and the framework's own switch (<c>ForwardedHeaders_Enabled</c>) clears every trust
/// list; Relay sets the lists last, so that only configured proxies are ever believed.
/// </summary>
internal sealed class ForwardedHeadersSetup(TrustedProxies trusted) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        options.ForwardLimit = trusted.ForwardLimit;
        options.RequireHeaderSymmetry = false;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted; it must be empty too.
        options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005

        foreach (var proxy in trusted.Addresses)
        {
            options.KnownProxies.Add(proxy);
        }

        foreach (var network in trusted.Networks)
        {
            options.KnownIPNetworks.Add(network);
        }
    }
}
