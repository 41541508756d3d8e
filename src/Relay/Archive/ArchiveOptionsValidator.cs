using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Archive;

internal sealed class ArchiveOptionsValidator(IConfiguration configuration) : IValidateOptions<ArchiveOptions>
{
    private static readonly TimeSpan LongestAge = TimeSpan.FromDays(3650);

    public ValidateOptionsResult Validate(string? name, ArchiveOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, ArchiveOptions.Section, typeof(ArchiveOptions));

        // The broker takes a whole number of seconds at least.
        if (options.MaxAge < TimeSpan.FromSeconds(1) || options.MaxAge > LongestAge || options.MaxAge.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{ArchiveOptions.Section}:MaxAge", $"{options.MaxAge} is not a whole number of seconds between 00:00:01 and 3650.00:00:00");
        }

        if (options.MaxBytes < 1024 * 1024)
        {
            errors.Add($"{ArchiveOptions.Section}:MaxBytes", "must be at least 1 MiB (1048576)");
        }

        return errors.ToResult();
    }
}
