using System.Diagnostics;

namespace Relay.Infrastructure;

/// <summary>
/// A folder laid out as the kubelet lays out a ConfigMap or Secret volume: the files live in a timestamped
/// folder, <c>..data</c> is a link to it, and each file the pod sees is a link <c>name -> ..data/name</c>.
/// <see cref="Swap"/> updates it as the kubelet's atomic writer does: the new files in a new timestamped
/// folder, a new link renamed over <c>..data</c> in one step, the old folder removed. The links the pod
/// opens never change themselves.
/// </summary>
internal sealed class KubernetesVolume
{
    private const string Data = "..data";
    private int _generation;

    public KubernetesVolume(string directory, IReadOnlyDictionary<string, string> files)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        string first = WriteGeneration(files);
        File.CreateSymbolicLink(Path.Combine(directory, Data), first);
        foreach (string name in files.Keys)
        {
            File.CreateSymbolicLink(PathOf(name), Path.Combine(Data, name));
        }
    }

    public string Directory { get; }

    /// <summary>The path the pod uses for a file: a link into <c>..data</c>.</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Replaces every file at once, as an update of the ConfigMap or Secret does.</summary>
    public void Swap(IReadOnlyDictionary<string, string> files)
    {
        string previous = new FileInfo(Path.Combine(Directory, Data)).LinkTarget!;
        string next = WriteGeneration(files);
        string staged = Path.Combine(Directory, "..data_tmp");
        File.CreateSymbolicLink(staged, next);
        RenameOver(staged, Path.Combine(Directory, Data));

        foreach (string name in files.Keys.Where(name => !Path.Exists(PathOf(name))))
        {
            File.CreateSymbolicLink(PathOf(name), Path.Combine(Data, name));
        }

        System.IO.Directory.Delete(Path.Combine(Directory, previous), recursive: true);
    }

    private string WriteGeneration(IReadOnlyDictionary<string, string> files)
    {
        string name = $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{++_generation}";
        string folder = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(folder);
        foreach (var (file, content) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), content);
        }

        return name;
    }

    /// <summary>rename(2) of the link itself, as the kubelet does (<c>mv -T</c>; File.Move would look through the link to the folder).</summary>
    private static void RenameOver(string from, string to)
    {
        using var mv = Process.Start(new ProcessStartInfo("mv", ["-T", from, to]) { RedirectStandardError = true })!;
        string error = mv.StandardError.ReadToEnd();
        mv.WaitForExit();
        if (mv.ExitCode != 0)
        {
            throw new IOException($"mv -T {from} {to} failed: {error}");
        }
    }
}
