using System.Diagnostics;

namespace Relay.Infrastructure;

/// <summary>
/// A small tmpfs mounted for a test, as a size-limited volume (a Kubernetes emptyDir with a sizeLimit, a
/// small persistent volume): the file system says it is full when it is. Mounting needs root, which CI is.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public long Free => new DriveInfo(Path).AvailableFreeSpace;

    public static Tmpfs Mount(int mebibytes)
    {
        string path = Directory.CreateTempSubdirectory("relay-tmpfs-").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={mebibytes}m,mode=0700", "tmpfs", path);
        return new Tmpfs(path);
    }

    /// <summary>
    /// Fills the volume with a file of its own until no byte more fits, then gives <paramref name="leaveFree"/>
    /// bytes back; returns the file, to delete for room.
    /// </summary>
    public string Fill(long leaveFree = 0)
    {
        string filler = System.IO.Path.Combine(Path, "filler");
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write);
        byte[] block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on the device: full, as meant.
        }

        file.SetLength(Math.Max(0, file.Length - leaveFree));
        return filler;
    }

    public void Remount(string options) => Run("mount", "-o", $"remount,{options}", Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error} (the volume tests mount a tmpfs, which needs root)");
        }
    }
}
