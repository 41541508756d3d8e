using System.Diagnostics;

namespace Relay.Infrastructure;

/// <summary><c>openssl s_client</c>, a TLS client that is not .NET's, against a test listener.</summary>
internal static class OpenSslClient
{
    public static Task<(int ExitCode, string Output)> ConnectAsync(Uri server, params string[] arguments) =>
        SendAsync(server, input: string.Empty, arguments);

    /// <param name="input">What the client sends once connected.</param>
    public static async Task<(int ExitCode, string Output)> SendAsync(Uri server, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])["s_client", "-connect", $"{server.Host}:{server.Port}", "-servername", "localhost", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
