namespace Relay.Infrastructure;

/// <summary>Runs <c>Relay replay</c> in this process against the test broker and a test Relay's exchange.</summary>
internal static class ReplayRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string exchange, params string[] arguments)
    {
        string contentRoot = Directory.CreateTempSubdirectory("relay-replay-").FullName;
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            int exitCode = await RelayCommands.RunAsync(
                // The test's own arguments last: on a command line, the last value of a key wins.
                ["replay", $"--contentRoot={contentRoot}", $"--Relay:RabbitMq:Uri={TestBroker.Uri}",
                    $"--Relay:RabbitMq:Exchange={exchange}", "--Logging:LogLevel:Default=Warning", .. arguments],
                output, error);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }
}
