using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Relay.Edge;

/// <summary>
/// Configures ASP.NET Core's forwarded-headers middleware from <c>Relay:ForwardedHeaders</c>. Its defaults
/// trust loopback; Relay clears them, so that only configured proxies are ever believed.
/// </summary>
internal sealed class ForwardedHeadersSetup(IOptions<TrustedProxiesOptions> trusted) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        var settings = trusted.Value;
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        options.ForwardLimit = settings.ForwardLimit;
        options.RequireHeaderSymmetry = false;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted; it must be empty too.
        options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005

        foreach (string proxy in settings.KnownProxies)
        {
            if (IPAddress.TryParse(proxy.Trim(), out var address))
            {
                options.KnownProxies.Add(AddressFolding.Fold(address));
            }
        }

        foreach (string network in settings.KnownNetworks)
        {
            if (CidrParser.TryParse(network, out var parsed, out _))
            {
                options.KnownIPNetworks.Add(parsed);
            }
        }
    }
}
