using System.Globalization;
using System.Text.RegularExpressions;
using Relay.Infrastructure;
using Relay.Outbox;

namespace Relay.Deployment;

/// <summary>The shipped Kubernetes manifests agree with what Relay needs and with what the operators' guide says of them.</summary>
public sealed partial class ManifestTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void OutboxVolume_HoldsAFullOutboxOfSmallEvents_WithItsWalAndReserve()
    {
        string statefulSet = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "base", "statefulset.yaml"));
        string settings = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "base", "configmap.yaml"));
        long requested = long.Parse(Storage().Match(statefulSet).Groups[1].Value, CultureInfo.InvariantCulture) * 1024 * MiB;
        long maxBytes = MaxBytes().Match(settings) is { Success: true } setting
            ? long.Parse(setting.Groups[1].Value, CultureInfo.InvariantCulture)
            : new OutboxOptions().MaxBytes;

        Assert.True(requested >= (long)(maxBytes * OutboxVolume.Overhead) + OutboxVolume.WalLimit + 64 * MiB,
            $"a volume of {requested} bytes for Relay:Outbox:MaxBytes {maxBytes}: the disk would fill before the limit");
        Assert.Contains($"{requested / 1024 / MiB} Gi", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operators", "deployment.md")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"storage:\s*(\d+)Gi")]
    private static partial Regex Storage();

    [GeneratedRegex(@"Relay__Outbox__MaxBytes:\s*""?(\d+)")]
    private static partial Regex MaxBytes();
}
