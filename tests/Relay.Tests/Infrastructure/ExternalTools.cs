using System.Diagnostics;

namespace Relay.Infrastructure;

/// <summary>
/// Programs the tests run (the official contract tools, the consumer samples, the fuzzer). Node.js ones get their npm
/// dependencies installed once per folder from the committed package-lock.json (<c>npm ci</c>), then run
/// with the machine's <c>node</c>.
/// </summary>
internal static class ExternalTools
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>Installs a folder's dependencies unless they are there; fails the test saying why when npm cannot.</summary>
    public static async Task EnsureNpmInstalledAsync(string folder)
    {
        await Installing.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules")))
            {
                return;
            }

            var (exitCode, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--silent"], folder, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"npm ci in {folder} failed ({exitCode}): {output}");
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs a program to its end within <paramref name="timeout"/>: its exit code and its output (standard output and error).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end within {timeout}: {await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
