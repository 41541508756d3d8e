using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class AllowlistOptionsValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<AllowlistOptions>
{
    public ValidateOptionsResult Validate(string? name, AllowlistOptions options)
    {
        var problems = new List<(string Key, string Problem)>();
        var allowlist = AllowlistLoader.Load(options, environment.ContentRootPath, problems);
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, AllowlistOptions.Section, typeof(AllowlistOptions));
        foreach (var (key, problem) in problems)
        {
            errors.Add(key, problem);
        }

        if (problems.Count == 0 && allowlist.Networks.Count == 0)
        {
            errors.Add(AllowlistOptions.Section,
                "no network is allowed, so every request would be refused; set Relay:Allowlist:Networks or Relay:Allowlist:Files");
        }

        return errors.ToResult();
    }
}
