using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Health;

internal sealed class ShutdownOptionsValidator(IConfiguration configuration) : IValidateOptions<ShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, ShutdownOptions.Section, typeof(ShutdownOptions));
        if (options.DrainPeriod < TimeSpan.Zero || options.DrainPeriod > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{ShutdownOptions.Section}:DrainPeriod", $"{options.DrainPeriod} is not between 00:00:00 and 00:10:00");
        }

        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{ShutdownOptions.Section}:Timeout", $"{options.Timeout} is not between 00:00:01 and 00:10:00");
        }

        return errors.ToResult();
    }
}
