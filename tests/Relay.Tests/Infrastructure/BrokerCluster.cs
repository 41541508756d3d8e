using System.Diagnostics;
using RabbitMQ.Client;

namespace Relay.Infrastructure;

/// <summary>
/// The 3-node RabbitMQ cluster on loopback of <c>scripts/rabbitmq.sh cluster</c> (AMQP on 127.0.0.1:5681 to
/// 5683), started for the tests that need it and stopped after them.
/// </summary>
public sealed class BrokerCluster : IAsyncLifetime
{
    public static readonly string[] Hosts = ["127.0.0.1:5681", "127.0.0.1:5682", "127.0.0.1:5683"];

    public static string Uri => "amqp://guest:guest@127.0.0.1:5681/";

    public async Task InitializeAsync() => await ScriptAsync("cluster", "start");

    public async Task DisposeAsync() => await ScriptAsync("cluster", "stop");

    /// <summary>The node (1 to 3) listening on <paramref name="hostAndPort"/>.</summary>
    public static int NodeOf(string hostAndPort) => Array.IndexOf(Hosts, hostAndPort) + 1;

    public Task StopAppAsync(int node) => ScriptAsync("cluster", "ctl", $"{node}", "stop_app");

    public async Task StartAppAsync(int node)
    {
        await ScriptAsync("cluster", "ctl", $"{node}", "start_app");
        await ScriptAsync("cluster", "ctl", $"{node}", "await_startup");
    }

    public static async Task<IConnection> ConnectAsync(string clientName)
    {
        var factory = new ConnectionFactory { Uri = new Uri(Uri), ClientProvidedName = clientName };
        return await factory.CreateConnectionAsync(
            [.. Hosts.Select(host => new AmqpTcpEndpoint(host.Split(':')[0], int.Parse(host.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)))]);
    }

    private static async Task ScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "scripts", "rabbitmq.sh"), arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/rabbitmq.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
