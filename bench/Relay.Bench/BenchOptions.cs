using System.Globalization;

namespace Relay.Bench;

/// <summary><c>--name value</c> pairs after the command.</summary>
internal sealed class BenchOptions(Dictionary<string, string> values)
{
    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var arguments = args.GetEnumerator();
        while (arguments.MoveNext())
        {
            string name = arguments.Current.TrimStart('-');
            values[name] = arguments.MoveNext() ? arguments.Current : throw new ArgumentException($"--{name} needs a value");
        }

        return new BenchOptions(values);
    }

    public string Text(string name, string? fallback = null) =>
        values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Number(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
