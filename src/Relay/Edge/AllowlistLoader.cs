using System.Net;

namespace Relay.Edge;

/// <summary>
/// Reads the allowlist from <c>Relay:Allowlist:Networks</c> and the files in <c>Relay:Allowlist:Files</c>,
/// reporting every bad entry by key, or by file and line.
/// </summary>
internal static class AllowlistLoader
{
    public static Allowlist Load(AllowlistOptions options, string contentRoot, List<(string Key, string Problem)> errors)
    {
        var networks = new List<IPNetwork>();
        for (int i = 0; i < options.Networks.Count; i++)
        {
            if (CidrParser.TryParse(options.Networks[i], out var network, out string? problem))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add(($"{AllowlistOptions.Section}:Networks:{i}", problem));
            }
        }

        for (int i = 0; i < options.Files.Count; i++)
        {
            string key = $"{AllowlistOptions.Section}:Files:{i}";
            string path = Path.GetFullPath(options.Files[i], contentRoot);
            if (!File.Exists(path))
            {
                errors.Add((key, $"file '{options.Files[i]}' does not exist"));
                continue;
            }

            int lineNumber = 0;
            foreach (string line in File.ReadLines(path))
            {
                lineNumber++;
                int comment = line.IndexOf('#', StringComparison.Ordinal);
                string entry = (comment < 0 ? line : line[..comment]).Trim();
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
                    errors.Add(($"{key} ('{options.Files[i]}' line {lineNumber})", problem));
                }
            }
        }

        return new Allowlist(networks);
    }
}
