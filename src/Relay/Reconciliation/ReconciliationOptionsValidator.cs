using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Reconciliation;

internal sealed class ReconciliationOptionsValidator(IConfiguration configuration) : IValidateOptions<ReconciliationOptions>
{
    // The broker's per-message TTL is an unsigned 32-bit count of milliseconds.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

    public ValidateOptionsResult Validate(string? name, ReconciliationOptions options)
    {
        var errors = new ValidationErrors();
        const string section = ReconciliationOptions.Section;
        errors.AddUnknownKeys(configuration, section, typeof(ReconciliationOptions));

        if (options.Grace < TimeSpan.FromSeconds(1) || options.Grace > LongestWait)
        {
            errors.Add($"{section}:Grace", $"{options.Grace} is not between 00:00:01 and 24.00:00:00");
        }

        if (options.RetryInterval < TimeSpan.FromSeconds(1) || options.RetryInterval > LongestWait)
        {
            errors.Add($"{section}:RetryInterval", $"{options.RetryInterval} is not between 00:00:01 and 24.00:00:00");
        }

        if (options.MaxAge < options.Grace || options.MaxAge > TimeSpan.FromDays(3650))
        {
            errors.Add($"{section}:MaxAge", $"{options.MaxAge} is not between Relay:Reconciliation:Grace ({options.Grace}) and 3650.00:00:00");
        }

        if (options.Concurrency is < 1 or > 64)
        {
            errors.Add($"{section}:Concurrency", $"{options.Concurrency} is not between 1 and 64");
        }

        if (options.RequestTimeout < TimeSpan.FromSeconds(1) || options.RequestTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{section}:RequestTimeout", $"{options.RequestTimeout} is not between 00:00:01 and 00:10:00");
        }

        return errors.ToResult();
    }
}
