using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class AllowlistOptionsValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<AllowlistOptions>
{
    public ValidateOptionsResult Validate(string? name, AllowlistOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, AllowlistOptions.Section, typeof(AllowlistOptions));
        errors.AddUnknownKeys(configuration, AllowlistOptions.Section + ":Shadow", typeof(AllowlistOptions.ShadowAllowlistOptions));

        var problems = new List<(string Key, string Problem)>();
        var allowlist = AllowlistLoader.LoadActive(options, environment.ContentRootPath, problems);
        AllowlistLoader.LoadShadow(options, environment.ContentRootPath, problems);
        foreach (var (key, problem) in problems)
        {
            errors.Add(key, problem);
        }

        if (problems.Count == 0 && allowlist.Networks.Count == 0 && !options.AllowAll)
        {
            errors.Add(AllowlistOptions.Section,
                "no network is allowed, so every request would be refused; set Relay:Allowlist:Networks or Relay:Allowlist:Files " +
                "(for development only, Relay:Allowlist:AllowAll=true)");
        }

        return errors.ToResult();
    }
}
