using System.Collections.Concurrent;
using System.Net;

namespace Relay.Infrastructure;

/// <summary>
/// A bounded load of distinct callbacks from several concurrent HTTPS clients, with faults injected
/// when given numbers of callbacks have been sent. The load runs until at least <c>minimum</c>
/// callbacks were sent and every fault has run its course, so the faults always land mid-load.
/// </summary>
internal static class CallbackLoad
{
    public static async Task<LoadResult> RunAsync(
        Func<HttpClient> createClient,
        string path,
        int minimum,
        int clients,
        params (int AtSent, Func<Task> Fault)[] faults)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var accepted = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        int failed = 0;
        int sent = 0;
        int next = -1;
        var faultTasks = new Task[faults.Length];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);

        bool FaultsDone() => faultTasks.All(task => task is { IsCompleted: true });

        async Task SendAsync()
        {
            using var client = createClient();
            client.Timeout = TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                int index = Interlocked.Increment(ref next);
                if (index >= minimum && FaultsDone())
                {
                    return;
                }

                for (int f = 0; f < faults.Length; f++)
                {
                    if (faults[f].AtSent == index)
                    {
                        faultTasks[f] = Task.Run(faults[f].Fault);
                    }
                }

                string requestId = $"load-{run}-{index}";
                Interlocked.Increment(ref sent);
                try
                {
                    using var content = new StringContent(CallbackForms.Success(requestId), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
                    using var response = await client.PostAsync(path, content);
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        accepted.Add(requestId);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref failed);
                    await Task.Delay(20);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(SendAsync)));
        await Task.WhenAll(faultTasks.Where(task => task is not null));
        return new LoadResult(sent, [.. accepted], statuses.ToDictionary(), failed);
    }
}

/// <summary>What a load sent and what came back.</summary>
internal sealed record LoadResult(int Sent, IReadOnlyList<string> Accepted, IReadOnlyDictionary<HttpStatusCode, int> Statuses, int Failed)
{
    public override string ToString() =>
        $"sent {Sent}, accepted {Accepted.Count}, answers {string.Join(", ", Statuses.Select(s => $"{(int)s.Key}: {s.Value}"))}, connection failures {Failed}";
}
