using System.Text.RegularExpressions;
using Relay.Infrastructure;

namespace Relay.Layout;

/// <summary>
/// The shape of the code, read from the sources: each folder of src/Relay is a namespace of its own, folders
/// depend on each other one way (composition at the root, shared pieces in leaves), and the core knows
/// neither ASP.NET Core nor RabbitMQ. Dependencies are read from usings and qualified names, which the build
/// keeps true (an unnecessary using fails it, IDE0005).
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Host = Path.Combine(RepositoryRoot.Path, "src", "Relay");

    [Fact]
    public void EachFolder_IsItsNamespace()
    {
        var misplaced = SourceFiles(Host)
            .Where(file => NamespaceOf(file.Text) != ExpectedNamespace(file.Folder))
            .Select(file => $"{file.Path}: namespace {NamespaceOf(file.Text)}, not {ExpectedNamespace(file.Folder)}")
            .ToList();

        Assert.Empty(misplaced);
    }

    [Fact]
    public void Folders_DependOnEachOtherOneWay()
    {
        var folders = Directory.GetDirectories(Host).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).ToHashSet()!;
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var file in SourceFiles(Host).Where(file => file.Folder.Length > 0))
        {
            foreach (string used in ReferencedNamespaces(file.Text).Where(name => folders.Contains(name) && name != file.Folder))
            {
                var from = edges.TryGetValue(file.Folder, out var known) ? known : edges[file.Folder] = [];
                from.TryAdd(used, Path.GetFileName(file.Path));
            }
        }

        var cycle = FindCycle(edges);

        Assert.True(cycle is null, cycle is null ? null :
            "folders depend on each other in a cycle: " + string.Join(" -> ", cycle.Zip(cycle.Skip(1), (a, b) => $"{a} ({edges[a][b]})").Append(cycle[^1])));
    }

    [Fact]
    public void Core_KnowsNeitherAspNetCoreNorRabbitMq()
    {
        var core = Path.Combine(RepositoryRoot.Path, "src", "Relay.Core");
        var offending = SourceFiles(core)
            .Where(file => ForbiddenInCore().IsMatch(file.Text))
            .Select(file => file.Path)
            .ToList();

        Assert.Empty(offending);
        Assert.DoesNotContain("ProjectReference", File.ReadAllText(Path.Combine(core, "Relay.Core.csproj")), StringComparison.Ordinal);
    }

    private sealed record SourceFile(string Path, string Folder, string Text);

    private static IEnumerable<SourceFile> SourceFiles(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => new SourceFile(path, Path.GetRelativePath(root, Path.GetDirectoryName(path)!) is var folder && folder == "." ? "" : folder,
                File.ReadAllText(path)));

    private static string ExpectedNamespace(string folder) => folder.Length == 0 ? "Relay" : "Relay." + folder.Replace(Path.DirectorySeparatorChar, '.');

    private static string? NamespaceOf(string text) => FileNamespace().Match(text) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The host folders a file names: <c>using Relay.X;</c>, aliases and qualified names alike, outside comments.</summary>
    private static IEnumerable<string> ReferencedNamespaces(string text) =>
        QualifiedName().Matches(LineComment().Replace(text, string.Empty)).Select(match => match.Groups[1].Value).Distinct();

    /// <summary>A cycle as the folders along it (the first repeated at the end), or null when there is none.</summary>
    private static List<string>? FindCycle(Dictionary<string, Dictionary<string, string>> edges)
    {
        var state = new Dictionary<string, bool>(); // false: on the current path; true: done
        var path = new List<string>();

        List<string>? Visit(string folder)
        {
            if (state.TryGetValue(folder, out bool done))
            {
                return done ? null : [.. path.Skip(path.IndexOf(folder)), folder];
            }

            state[folder] = false;
            path.Add(folder);
            foreach (string next in edges.GetValueOrDefault(folder)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = true;
            return null;
        }

        return edges.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"(?<![\w.])Relay\.(?!Core\b)([A-Z]\w*)\b")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^\s*using\s+(Microsoft\.AspNetCore|RabbitMQ)\b", RegexOptions.Multiline)]
    private static partial Regex ForbiddenInCore();
}
