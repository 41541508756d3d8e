using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class TrustedProxiesOptionsValidator(IConfiguration configuration) : IValidateOptions<TrustedProxiesOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxiesOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, TrustedProxiesOptions.Section, typeof(TrustedProxiesOptions));
        var problems = new List<(string Key, string Problem)>();
        TrustedProxies.Parse(options, problems);
        foreach (var (key, problem) in problems)
        {
            errors.Add(key, problem);
        }

        if (options.ForwardLimit is < 1 or > 16)
        {
            errors.Add($"{TrustedProxiesOptions.Section}:ForwardLimit", $"{options.ForwardLimit} is not between 1 and 16");
        }

        return errors.ToResult();
    }
}
