using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Relay.Bench.Shared;

namespace Relay.Bench;

/// <summary>
/// An open-loop load at a fixed rate, for latency at a given throughput: requests are sent on schedule
/// whether or not earlier ones have returned, and each latency is measured from when its request was due,
/// so a stall shows in the percentiles instead of hiding in a slower send rate (coordinated omission).
/// </summary>
internal static class FixedRateLoad
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var url = new Uri(options.Text("url"));
        int rate = options.Number("rate", 1000);
        var duration = TimeSpan.FromSeconds(options.Number("seconds", 10));
        var bodies = Bodies.Load(options.Text("bodies", "bench/bodies"));
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(options.Text("cacert", "config/certs/tls.crt")));
        var handler = TrustingHandler.Create(trusted);
        handler.MaxConnectionsPerServer = options.Number("connections", 64);
        handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5);
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        // Open the connections first: the percentiles are of the steady state, not of the handshakes.
        int connections = options.Number("connections", 64);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            using var warmUp = new ByteArrayContent(bodies[i % bodies.Length]);
            warmUp.Headers.ContentType = new("application/x-www-form-urlencoded");
            using var response = await client.PostAsync(url, warmUp);
        }));

        // The load's own code is jitted and tiered up at the rate before it is measured, as the broker
        // publisher's is: a cold generator on the same cores would add its JIT to Relay's latencies.
        var warmUp = new LatencyRecorder();
        await RunScheduleAsync(client, url, bodies, rate, TimeSpan.FromSeconds(options.Number("warm-up", 2)), warmUp);
        var latencies = new LatencyRecorder();
        await RunScheduleAsync(client, url, bodies, rate, duration, latencies);

        // Requests sent but not measured (each connection's first, the warm-up's) cost Relay CPU and
        // reach the queue too: bench/run.sh counts them there.
        return latencies.Line("LOAD", duration) + $" unmeasured={connections + warmUp.Requests}";
    }

    private static async Task RunScheduleAsync(HttpClient client, Uri url, byte[][] bodies, int rate, TimeSpan duration, LatencyRecorder latencies)
    {
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        long total = (long)(rate * duration.TotalSeconds);
        for (long i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            byte[] body = bodies[i % bodies.Length];
            inFlight.Add(Task.Run(async () =>
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/x-www-form-urlencoded");
                try
                {
                    using var response = await client.PostAsync(url, content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        latencies.Record(clock.Elapsed - due);
                    }
                    else
                    {
                        latencies.Fail();
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    latencies.Fail();
                }
            }));
        }

        await Task.WhenAll(inFlight);
    }
}
