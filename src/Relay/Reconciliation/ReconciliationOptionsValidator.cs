using Relay.Configuration;

namespace Relay.Reconciliation;

internal sealed class ReconciliationOptionsValidator(IConfiguration configuration)
    : SectionValidator<ReconciliationOptions>(configuration, ReconciliationOptions.Section)
{
    // The broker's per-message TTL is an unsigned 32-bit count of milliseconds.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

    protected override void Check(ReconciliationOptions options, ValidationErrors errors)
    {
        errors.AddUnlessBetween(Key("Grace"), options.Grace, TimeSpan.FromSeconds(1), LongestWait);
        errors.AddUnlessBetween(Key("RetryInterval"), options.RetryInterval, TimeSpan.FromSeconds(1), LongestWait);
        if (options.MaxAge < options.Grace || options.MaxAge > TimeSpan.FromDays(3650))
        {
            errors.Add(Key("MaxAge"), $"{options.MaxAge} is not between {Key("Grace")} ({options.Grace}) and 3650.00:00:00");
        }

        errors.AddUnlessBetween(Key("Concurrency"), options.Concurrency, 1, 64);
        errors.AddUnlessBetween(Key("RequestTimeout"), options.RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
    }
}
