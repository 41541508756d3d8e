namespace Relay.Configuration;

/// <summary>
/// The one way Relay notices that files it serves from changed (the allowlist's lists, the certificate):
/// it looks at their <see cref="FileStamp"/> every second. Polling works on every file system a volume can
/// be, and the stamp follows links, as Kubernetes mounts files. (relay.json is reloaded by the configuration
/// system itself, told to poll: <see cref="RelayConfigurationExtensions"/>.)
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

/// <summary>
/// When and how large each of some files is, or that it is missing: any change gives another stamp. A file
/// that is a link is stamped by what it finally leads to: Kubernetes mounts each file of a ConfigMap or
/// Secret as <c>name -> ..data/name</c> and updates it by swapping the <c>..data</c> link, so the links the
/// pod sees never change themselves, while the file they lead to is a new one.
/// </summary>
internal sealed record FileStamp(string Value)
{
    public static FileStamp Of(IEnumerable<string> fullPaths) => new(string.Join('|', fullPaths.Select(Describe)));

    private static string Describe(string path)
    {
        FileSystemInfo file = new FileInfo(path);
        try
        {
            // Resolving the last link leaves earlier links in the path (..data) to the file system, which
            // follows them as it stats the path: the stamp is the file the swap put there.
            file = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
        }
        catch (IOException)
        {
            // A link that loops or leads nowhere: stamped as missing below.
        }

        return file is FileInfo { Exists: true } found
            ? $"{path}:{found.FullName}:{found.LastWriteTimeUtc.Ticks}:{found.Length}"
            : $"{path}:missing";
    }
}
