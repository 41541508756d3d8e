using Microsoft.Extensions.Options;

namespace Relay.Configuration;

internal sealed class RelaySectionOptionsValidator(IConfiguration configuration) : IValidateOptions<RelaySectionOptions>
{
    public ValidateOptionsResult Validate(string? name, RelaySectionOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, RelaySectionOptions.Section, RelaySectionOptions.KnownSections);
        return errors.ToResult();
    }
}
