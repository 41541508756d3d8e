using System.Net;

namespace Relay.Edge;

/// <summary>
/// Reads an allowlist from networks and files of networks, reporting every bad entry by key, or by file
/// and line. The validator uses <see cref="ParseNetworks"/> alone (the settings' shape); only the
/// provider reads the files, once at start and again on each change.
/// </summary>
internal static class AllowlistLoader
{
    public const string ShadowSection = AllowlistOptions.Section + ":Shadow";

    public static Allowlist LoadActive(AllowlistOptions options, string contentRoot, List<(string Key, string Problem)> problems) =>
        Load(options.Networks, options.Files, AllowlistOptions.Section, contentRoot, problems);

    public static Allowlist? LoadShadow(AllowlistOptions options, string contentRoot, List<(string Key, string Problem)> problems) =>
        options.Shadow.IsConfigured
            ? Load(options.Shadow.Networks, options.Shadow.Files, ShadowSection, contentRoot, problems)
            : null;

    /// <summary>The networks written in the settings under <paramref name="section"/>, each entry that is not one named in <paramref name="problems"/>.</summary>
    public static List<IPNetwork> ParseNetworks(IReadOnlyList<string> entries, string section, List<(string Key, string Problem)> problems)
    {
        var networks = new List<IPNetwork>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            if (CidrParser.TryParse(entries[i], out var network, out string? problem))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(($"{section}:Networks:{i}", problem));
            }
        }

        return networks;
    }

    private static Allowlist Load(List<string> entries, List<string> files, string section, string contentRoot,
        List<(string Key, string Problem)> problems)
    {
        var networks = ParseNetworks(entries, section, problems);
        for (int i = 0; i < files.Count; i++)
        {
            ReadFile(files[i], $"{section}:Files:{i}", contentRoot, networks, problems);
        }

        return new Allowlist(networks);
    }

    private static void ReadFile(string file, string key, string contentRoot, List<IPNetwork> networks, List<(string Key, string Problem)> problems)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.GetFullPath(file, contentRoot));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add((key, $"file '{file}' cannot be read: {ex.Message}"));
            return;
        }

        for (int line = 0; line < lines.Length; line++)
        {
            int comment = lines[line].IndexOf('#', StringComparison.Ordinal);
            string entry = (comment < 0 ? lines[line] : lines[line][..comment]).Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (CidrParser.TryParse(entry, out var network, out string? problem))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(($"{key} ('{file}' line {line + 1})", problem));
            }
        }
    }
}
