using Relay.Configuration;

namespace Relay.Health;

internal sealed class ShutdownOptionsValidator(IConfiguration configuration)
    : SectionValidator<ShutdownOptions>(configuration, ShutdownOptions.Section)
{
    protected override void Check(ShutdownOptions options, ValidationErrors errors)
    {
        errors.AddUnlessBetween(Key("DrainPeriod"), options.DrainPeriod, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        errors.AddUnlessBetween(Key("Timeout"), options.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
    }
}
