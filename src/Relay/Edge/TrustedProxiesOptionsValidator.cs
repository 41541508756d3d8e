using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class TrustedProxiesOptionsValidator(IConfiguration configuration) : IValidateOptions<TrustedProxiesOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxiesOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, TrustedProxiesOptions.Section, typeof(TrustedProxiesOptions));
        for (int i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(options.KnownProxies[i].Trim(), out _))
            {
                errors.Add($"{TrustedProxiesOptions.Section}:KnownProxies:{i}", $"'{options.KnownProxies[i]}' is not an IP address");
            }
        }

        for (int i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!CidrParser.TryParse(options.KnownNetworks[i], out _, out string? problem))
            {
                errors.Add($"{TrustedProxiesOptions.Section}:KnownNetworks:{i}", problem);
            }
        }

        if (options.ForwardLimit is < 1 or > 16)
        {
            errors.Add($"{TrustedProxiesOptions.Section}:ForwardLimit", $"{options.ForwardLimit} is not between 1 and 16");
        }

        return errors.ToResult();
    }
}
