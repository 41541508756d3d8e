using Relay.Configuration;

namespace Relay.Edge;

/// <summary>
/// The shape of <c>Relay:Allowlist</c>: networks that parse, file names that are names, and something
/// allowed. The list files are read by <see cref="AllowlistProvider"/> alone, which refuses to start on a
/// file that cannot be read or holds a bad line.
/// </summary>
internal sealed class AllowlistOptionsValidator(IConfiguration configuration)
    : SectionValidator<AllowlistOptions>(configuration, AllowlistOptions.Section)
{
    protected override void Check(AllowlistOptions options, ValidationErrors errors)
    {
        errors.AddUnknownKeys(Configuration, AllowlistLoader.ShadowSection, typeof(AllowlistOptions.ShadowAllowlistOptions));

        var problems = new List<(string Key, string Problem)>();
        AllowlistLoader.ParseNetworks(options.Networks, AllowlistOptions.Section, problems);
        AllowlistLoader.ParseNetworks(options.Shadow.Networks, AllowlistLoader.ShadowSection, problems);
        errors.AddAll(problems);
        AddBlankFiles(errors, options.Files, AllowlistOptions.Section);
        AddBlankFiles(errors, options.Shadow.Files, AllowlistLoader.ShadowSection);

        if (options.Networks.Count == 0 && options.Files.Count == 0 && !options.AllowAll)
        {
            errors.Add(AllowlistOptions.Section,
                $"no network is allowed, so every request would be refused; set {Key("Networks")} or {Key("Files")} " +
                $"(for development only, {Key("AllowAll")}=true)");
        }
    }

    private static void AddBlankFiles(ValidationErrors errors, List<string> files, string section)
    {
        for (int i = 0; i < files.Count; i++)
        {
            errors.AddIfBlank($"{section}:Files:{i}", files[i], "is empty; name a file of networks");
        }
    }
}
