using System.Text.RegularExpressions;
using Relay.Infrastructure;

namespace Relay.Layout;

/// <summary>
/// The README and docs/ are the public contract, spread over files by audience: every relative link in
/// them leads to a file or folder of the repository, and every #anchor to a heading of its page.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        pages.Add("README.md");
        foreach (string page in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(RepositoryRoot.Path, page));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLink_LeadsSomewhere(string page)
    {
        string path = Path.Combine(RepositoryRoot.Path, page);
        var broken = new List<string>();
        foreach (string target in Links(File.ReadAllText(path)))
        {
            if (Uri.TryCreate(target, UriKind.Absolute, out _))
            {
                continue;
            }

            string file = target.Split('#')[0];
            string? anchor = target.Contains('#', StringComparison.Ordinal) ? target[(target.IndexOf('#', StringComparison.Ordinal) + 1)..] : null;
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading '{anchor}' in {Path.GetRelativePath(RepositoryRoot.Path, resolved)}");
            }
        }

        Assert.Empty(broken);
    }

    /// <summary>The targets of the page's links, outside code blocks and code spans.</summary>
    private static IEnumerable<string> Links(string markdown) =>
        Link().Matches(CodeSpan().Replace(CodeBlock().Replace(markdown, string.Empty), string.Empty)).Select(match => match.Groups[1].Value);

    /// <summary>The anchors of the page's headings, as GitHub makes them: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        [.. Heading().Matches(CodeBlock().Replace(markdown, string.Empty))
            .Select(match => NotInAnchor().Replace(match.Groups[1].Value.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-'))];

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex NotInAnchor();
}
