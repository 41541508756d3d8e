namespace Relay.Configuration;

/// <summary>
/// The one way Relay notices that files it serves from changed (the allowlist's lists, the certificate):
/// it looks at their <see cref="FileStamp"/> every second. Polling, rather than a file watcher, also sees
/// a file replaced through a symbolic link, as Kubernetes updates a mounted secret or config map.
/// </summary>
internal static class FilePolling
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Calls <paramref name="check"/> every <see cref="Interval"/> until <paramref name="stoppingToken"/> is cancelled.</summary>
    public static async Task EveryIntervalAsync(Action check, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);

        // Stopping disposes the timer, which ends the loop without an exception: a host that fails to start
        // disposes its services without stopping them, and an exception here was then logged as a crash.
        using var stop = stoppingToken.Register(timer.Dispose);
        while (await timer.WaitForNextTickAsync(CancellationToken.None))
        {
            check();
        }
    }
}

/// <summary>When and how large each of some files is, or that it is missing: any change gives another stamp.</summary>
internal sealed record FileStamp(string Value)
{
    public static FileStamp Of(IEnumerable<string> fullPaths) => new(string.Join('|', fullPaths.Select(path =>
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{info.FullName}:{info.LastWriteTimeUtc.Ticks}:{info.Length}" : $"{info.FullName}:missing";
    })));
}
