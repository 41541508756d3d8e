namespace Relay.Bench;

/// <summary>The benchmark's callback bodies, in the order the wrk script sends them.</summary>
internal static class Bodies
{
    private static readonly string[] Names = ["sparse-success.form", "error.form", "fifty-results.form"];

    public static byte[][] Load(string folder) => [.. Names.Select(name => File.ReadAllBytes(Path.Combine(folder, name)))];
}
