using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

/// <summary>
/// The shape of <c>Relay:Allowlist</c>: known keys, networks that parse, file names that are names, and
/// something allowed. The list files are read by <see cref="AllowlistProvider"/> alone, which refuses to
/// start on a file that cannot be read or holds a bad line.
/// </summary>
internal sealed class AllowlistOptionsValidator(IConfiguration configuration) : IValidateOptions<AllowlistOptions>
{
    public ValidateOptionsResult Validate(string? name, AllowlistOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, AllowlistOptions.Section, typeof(AllowlistOptions));
        errors.AddUnknownKeys(configuration, AllowlistLoader.ShadowSection, typeof(AllowlistOptions.ShadowAllowlistOptions));

        var problems = new List<(string Key, string Problem)>();
        AllowlistLoader.ParseNetworks(options.Networks, AllowlistOptions.Section, problems);
        AllowlistLoader.ParseNetworks(options.Shadow.Networks, AllowlistLoader.ShadowSection, problems);
        foreach (var (key, problem) in problems)
        {
            errors.Add(key, problem);
        }

        AddBlankFiles(errors, options.Files, AllowlistOptions.Section);
        AddBlankFiles(errors, options.Shadow.Files, AllowlistLoader.ShadowSection);

        if (options.Networks.Count == 0 && options.Files.Count == 0 && !options.AllowAll)
        {
            errors.Add(AllowlistOptions.Section,
                "no network is allowed, so every request would be refused; set Relay:Allowlist:Networks or Relay:Allowlist:Files " +
                "(for development only, Relay:Allowlist:AllowAll=true)");
        }

        return errors.ToResult();
    }

    private static void AddBlankFiles(ValidationErrors errors, List<string> files, string section)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(files[i]))
            {
                errors.Add($"{section}:Files:{i}", "is empty; name a file of networks");
            }
        }
    }
}
