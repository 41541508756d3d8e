using Relay.Configuration;

namespace Relay.Edge;

internal sealed class RateLimitOptionsValidator(IConfiguration configuration)
    : SectionValidator<RateLimitOptions>(configuration, RateLimitOptions.Section)
{
    protected override void Check(RateLimitOptions options, ValidationErrors errors)
    {
        errors.AddUnlessPositive(Key("Burst"), options.Burst);
        errors.AddUnlessPositive(Key("PermitsPerSecond"), options.PermitsPerSecond);
    }
}
