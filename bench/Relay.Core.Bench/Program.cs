using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Relay.Core.Bench;

// Usage: Relay.Core.Bench BODIES_FOLDER. Runs the benchmarks in this process, on one core (the first), and
// prints a CORE line for bench/run.sh: the 34 KB callback's throughput and the mix's allocation per callback.
NormalizationBenchmarks.BodiesFolder = Path.GetFullPath(args.Length > 0 ? args[0] : "bench/bodies");
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithAffinity(1)
    .WithWarmupCount(3)
    .WithIterationCount(10);
var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOption(ConfigOptions.DisableLogFile, true);
var summary = BenchmarkRunner.Run<NormalizationBenchmarks>(config);

var probe = new NormalizationBenchmarks();
probe.Setup();
var fifty = summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(NormalizationBenchmarks.FiftyResults));
var mix = summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(NormalizationBenchmarks.Mix));
if (fifty.ResultStatistics is null || mix.ResultStatistics is null)
{
    Console.Error.WriteLine("core bench: a benchmark failed");
    return 1;
}

long fiftyBytes = new FileInfo(Path.Combine(NormalizationBenchmarks.BodiesFolder, "fifty-results.form")).Length;
double fiftyNanoseconds = fifty.ResultStatistics.Median;
double megabytesPerSecond = fiftyBytes / (fiftyNanoseconds / 1e9) / 1e6;
long mixAllocated = mix.GcStats.GetBytesAllocatedPerOperation(mix.BenchmarkCase) ?? 0;
int mixCount = Directory.GetFiles(NormalizationBenchmarks.BodiesFolder, "*.form").Length;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"CORE fifty_bytes={fiftyBytes} fifty_us={fiftyNanoseconds / 1000:F1} fifty_mbps={megabytesPerSecond:F0} fifty_alloc={fifty.GcStats.GetBytesAllocatedPerOperation(fifty.BenchmarkCase) ?? 0} " +
    $"mix_alloc_per_callback={mixAllocated / mixCount} mix_mean_body={probe.MixMeanBodyBytes:F0}"));
return 0;
