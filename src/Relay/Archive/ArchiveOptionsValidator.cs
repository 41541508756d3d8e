using Relay.Configuration;

namespace Relay.Archive;

internal sealed class ArchiveOptionsValidator(IConfiguration configuration)
    : SectionValidator<ArchiveOptions>(configuration, ArchiveOptions.Section)
{
    private static readonly TimeSpan LongestAge = TimeSpan.FromDays(3650);

    protected override void Check(ArchiveOptions options, ValidationErrors errors)
    {
        // The broker takes a whole number of seconds at least.
        if (options.MaxAge < TimeSpan.FromSeconds(1) || options.MaxAge > LongestAge || options.MaxAge.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add(Key("MaxAge"), $"{options.MaxAge} is not a whole number of seconds between 00:00:01 and {LongestAge}");
        }

        if (options.MaxBytes < 1024 * 1024)
        {
            errors.Add(Key("MaxBytes"), "must be at least 1 MiB (1048576)");
        }
    }
}
