using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class RateLimitOptionsValidator(IConfiguration configuration) : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, RateLimitOptions.Section, typeof(RateLimitOptions));
        if (options.Burst < 1)
        {
            errors.Add($"{RateLimitOptions.Section}:Burst", "must be positive");
        }

        if (options.PermitsPerSecond < 1)
        {
            errors.Add($"{RateLimitOptions.Section}:PermitsPerSecond", "must be positive");
        }

        return errors.ToResult();
    }
}
