using System.Net;

namespace Relay.Edge;

/// <summary>
/// Reads an allowlist from networks and files of networks, reporting every bad entry by key, or by file
/// and line.
/// </summary>
internal static class AllowlistLoader
{
    public static Allowlist Load(
        IReadOnlyList<string> networkEntries,
        IReadOnlyList<string> files,
        string section,
        string contentRoot,
        List<(string Key, string Problem)> errors)
    {
        var networks = new List<IPNetwork>();
        for (int i = 0; i < networkEntries.Count; i++)
        {
            if (CidrParser.TryParse(networkEntries[i], out var network, out string? problem))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add(($"{section}:Networks:{i}", problem));
            }
        }

        for (int i = 0; i < files.Count; i++)
        {
            string key = $"{section}:Files:{i}";
            string path = Path.GetFullPath(files[i], contentRoot);
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add((key, $"file '{files[i]}' cannot be read: {ex.Message}"));
                continue;
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
                    errors.Add(($"{key} ('{files[i]}' line {line + 1})", problem));
                }
            }
        }

        return new Allowlist(networks);
    }

    public static Allowlist LoadActive(AllowlistOptions options, string contentRoot, List<(string Key, string Problem)> errors) =>
        Load(options.Networks, options.Files, AllowlistOptions.Section, contentRoot, errors);

    public static Allowlist? LoadShadow(AllowlistOptions options, string contentRoot, List<(string Key, string Problem)> errors) =>
        options.Shadow.IsConfigured
            ? Load(options.Shadow.Networks, options.Shadow.Files, AllowlistOptions.Section + ":Shadow", contentRoot, errors)
            : null;
}
