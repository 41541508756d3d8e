using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Outbox;

internal sealed class OutboxOptionsValidator(IConfiguration configuration) : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, OutboxOptions.Section, typeof(OutboxOptions));
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add($"{OutboxOptions.Section}:Path", "required: the folder of the local durable outbox");
        }

        if (options.MaxEntries < 1)
        {
            errors.Add($"{OutboxOptions.Section}:MaxEntries", "must be positive");
        }

        if (options.MaxBytes < 1024 * 1024)
        {
            errors.Add($"{OutboxOptions.Section}:MaxBytes", "must be at least 1 MiB (1048576)");
        }

        return errors.ToResult();
    }
}
