using System.Diagnostics;

namespace Relay.Infrastructure;

/// <summary>
/// Stops and starts the broker's application (the node stays up) through <c>scripts/rabbitmq.sh ctl</c>,
/// or the command in <c>RELAY_TEST_RABBITMQCTL</c> for a broker started some other way.
/// </summary>
internal static class BrokerControl
{
    public static Task StopAppAsync() => RunAsync("stop_app");

    public static async Task StartAppAsync()
    {
        await RunAsync("start_app");
        await RunAsync("await_startup");
    }

    /// <summary>Runs a rabbitmqctl command against the test broker.</summary>
    public static Task RunAsync(params string[] arguments) => RunAsync(string.Join(' ', arguments));

    private static async Task RunAsync(string command)
    {
        string control = Environment.GetEnvironmentVariable("RELAY_TEST_RABBITMQCTL") is { Length: > 0 } custom
            ? custom
            : Path.Combine(RepositoryRoot.Path, "scripts", "rabbitmq.sh") + " ctl";
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"{control} {command}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{control} {command}' failed ({process.ExitCode}): {output}");
        }
    }
}
