using Relay.Configuration;

namespace Relay.Outbox;

internal sealed class OutboxOptionsValidator(IConfiguration configuration)
    : SectionValidator<OutboxOptions>(configuration, OutboxOptions.Section)
{
    protected override void Check(OutboxOptions options, ValidationErrors errors)
    {
        errors.AddIfBlank(Key("Path"), options.Path, "required: the folder of the local durable outbox");
        errors.AddUnlessPositive(Key("MaxEntries"), options.MaxEntries);
        if (options.MaxBytes < 1024 * 1024)
        {
            errors.Add(Key("MaxBytes"), "must be at least 1 MiB (1048576)");
        }
    }
}
