using Relay.Fuzz;
using Relay.Infrastructure;

namespace Relay.Fuzzing;

/// <summary>
/// The fuzz targets (fuzz/Relay.Fuzz) in the suite: every seed of every corpus and every input fuzzing ever
/// found failing (fuzz/findings/TARGET, each a regression test from then on) holds the target's
/// invariants, in process; and each target runs under AFL++ for a few seconds, as <c>scripts/fuzz.sh</c>
/// runs it for minutes, finding nothing.
/// </summary>
public sealed class FuzzTargetTests
{
    private static readonly string Fuzz = Path.Combine(RepositoryRoot.Path, "fuzz");

    public static TheoryData<string, string> Inputs()
    {
        var inputs = new TheoryData<string, string>();
        foreach (string folder in new[] { "corpus", "findings" })
        {
            foreach (string target in FuzzTargets.All.Keys)
            {
                string directory = Path.Combine(Fuzz, folder, target);
                foreach (string file in Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
                {
                    inputs.Add(target, Path.GetRelativePath(Fuzz, file));
                }
            }
        }

        return inputs;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void EverySeedAndEveryFinding_HoldsItsTargetsInvariants(string target, string input) =>
        FuzzTargets.All[target](File.ReadAllBytes(Path.Combine(Fuzz, input)));

    [Fact]
    public void EveryTarget_HasASeedCorpus()
    {
        foreach (string target in FuzzTargets.All.Keys)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Fuzz, "corpus", target)));
        }
    }

    [Theory]
    [InlineData("form")]
    [InlineData("resultdetail")]
    [InlineData("expectation")]
    [InlineData("soap")]
    [InlineData("token")]
    [InlineData("ens")]
    [InlineData("proxy")]
    public async Task UnderAfl_ATargetRunsForSeconds_AndFindsNothing(string target)
    {
        var (exitCode, output) = await ExternalTools.RunAsync("bash", ["scripts/fuzz.sh", target, "5"], RepositoryRoot.Path, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, output);
        Assert.Matches($"fuzz: {target} [1-9][0-9]* executions, 0 crashes", output);
    }
}
