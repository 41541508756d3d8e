using Relay.Configuration;

namespace Relay.Edge;

internal sealed class TrustedProxiesOptionsValidator(IConfiguration configuration)
    : SectionValidator<TrustedProxiesOptions>(configuration, TrustedProxiesOptions.Section)
{
    protected override void Check(TrustedProxiesOptions options, ValidationErrors errors)
    {
        var problems = new List<(string Key, string Problem)>();
        TrustedProxies.Parse(options, problems);
        errors.AddAll(problems);
        errors.AddUnlessBetween(Key("ForwardLimit"), options.ForwardLimit, 1, 16);
        if (options.ProxyProtocol && options.KnownProxies.Count == 0 && options.KnownNetworks.Count == 0)
        {
            errors.Add(Key("ProxyProtocol"), $"is on, but no proxy is known: list the load balancers in {Key("KnownProxies")} or {Key("KnownNetworks")}; the PROXY protocol is believed from them only");
        }
    }
}
