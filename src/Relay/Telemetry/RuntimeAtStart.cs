using System.Globalization;
using System.Runtime;

namespace Relay.Telemetry;

/// <summary>
/// Logs once, as Relay starts, how its runtime manages memory: native or jitted code, which GC, and the
/// gen0 budget, which sets how far the heap grows between collections and so most of Relay's RSS under
/// load (docs/operators/capacity.md). The GC sizes it from the CPU's cache unless told; the native build
/// tells it 16 MiB, and <c>DOTNET_GCGen0MaxBudget</c> (hexadecimal bytes) overrides either.
/// </summary>
internal sealed partial class RuntimeAtStart(ILogger<RuntimeAtStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }

        var gc = GC.GetConfigurationVariables();
        long conserveMemory = Number(gc, "GCConserveMem");
        long gen0MaxBudget = Number(gc, "GCGen0MaxBudget");
        // A native build has no JIT; a jitted one has compiled methods by now. (IsDynamicCodeSupported is
        // false in both: the project's AOT settings turn it off for the jitted build as well.)
        string code = JitInfo.GetCompiledMethodCount() > 0 ? "jitted" : "native";
        string collector = (Number(gc, "ServerGC") != 0 ? "server" : "workstation")
            + (Number(gc, "ConcurrentGC") != 0 ? " with background collections" : string.Empty);
        string budget = gen0MaxBudget > 0
            ? string.Create(CultureInfo.InvariantCulture, $"at most {gen0MaxBudget / (1024.0 * 1024):0.#} MiB")
            : "not reported";
        Log.Runtime(logger, code, collector, budget, conserveMemory, Environment.ProcessorCount);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The GC reports numbers and switches as objects of its own choosing (long, ulong or bool); absent is 0.
    private static long Number(IReadOnlyDictionary<string, object> gc, string name) =>
        gc.TryGetValue(name, out object? value) ? value switch
        {
            bool flag => flag ? 1 : 0,
            ulong large => (long)Math.Min(large, long.MaxValue),
            IConvertible number => number.ToInt64(CultureInfo.InvariantCulture),
            _ => 0,
        } : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Runtime: {Code} code, {Gc} GC, gen0 budget {Gen0Budget}, ConserveMemory {ConserveMemory}, {Processors} processors")]
        public static partial void Runtime(ILogger logger, string code, string gc, string gen0Budget, long conserveMemory, int processors);
    }
}
