namespace Relay.Commands;

/// <summary>
/// The arguments of a subcommand that are not its own options: configuration overrides in the server's
/// form (<c>--Relay:RabbitMq:Uri=...</c> or <c>--Relay:RabbitMq:Uri ...</c>), handed to the configuration
/// as the server's command line is. Anything else is a mistake the operator hears about, never a key
/// that is quietly ignored.
/// </summary>
internal static class ConfigurationOverrides
{
    /// <summary>Host settings without a section that the server's command line takes too.</summary>
    private static readonly HashSet<string> HostKeys = new(["contentRoot", "environment"], StringComparer.OrdinalIgnoreCase);

    public static bool TryCollect(IReadOnlyList<string> tokens, out string[] overrides, out string? problem)
    {
        var collected = new List<string>(tokens.Count);
        problem = null;
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            string key = token.StartsWith("--", StringComparison.Ordinal) ? token[2..].Split('=', 2)[0] : string.Empty;
            if (key.Length == 0 || (!key.Contains(':', StringComparison.Ordinal) && !HostKeys.Contains(key)))
            {
                overrides = [];
                problem = $"unknown argument '{token}': see --help for the options; a configuration key is given as --Section:Key=value";
                return false;
            }

            if (token.Contains('=', StringComparison.Ordinal))
            {
                collected.Add(token);
            }
            else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                collected.Add(token + "=" + tokens[++i]);
            }
            else
            {
                overrides = [];
                problem = $"'{token}' has no value: write {token}=VALUE";
                return false;
            }
        }

        overrides = [.. collected];
        return true;
    }

    /// <summary>The content root an override names (<c>--contentRoot=DIR</c>), else the working directory.</summary>
    public static string ContentRoot(string[] overrides)
    {
        foreach (string argument in overrides)
        {
            string[] parts = argument[2..].Split('=', 2);
            if (string.Equals(parts[0], "contentRoot", StringComparison.OrdinalIgnoreCase))
            {
                return Path.GetFullPath(parts[1]);
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
