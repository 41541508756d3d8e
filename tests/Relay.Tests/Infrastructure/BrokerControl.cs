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

    /// <summary>The process id of the broker's Erlang VM.</summary>
    public static async Task<string> VmProcessIdAsync() => (await OutputOfAsync("eval 'list_to_integer(os:getpid()).'")).Trim();

    /// <summary>
    /// Freezes the broker's Erlang VM (SIGSTOP, before this returns its task) for <paramref name="duration"/>,
    /// then lets it go on (SIGCONT): a broker that stalls with its connections open, as in a long pause of
    /// its VM or its host.
    /// </summary>
    public static async Task FreezeAsync(string vmProcessId, TimeSpan duration)
    {
        Signal("STOP", vmProcessId);
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            Signal("CONT", vmProcessId);
        }
    }

    private static void Signal(string signal, string pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed ({kill.ExitCode})");
        }
    }

    /// <summary>Runs a rabbitmqctl command against the test broker.</summary>
    public static Task RunAsync(params string[] arguments) => OutputOfAsync(string.Join(' ', arguments));

    private static async Task<string> OutputOfAsync(string command)
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
        string output = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{control} {command}' failed ({process.ExitCode}): {output}{error}");
        }

        return output;
    }
}
