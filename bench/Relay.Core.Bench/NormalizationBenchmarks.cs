using BenchmarkDotNet.Attributes;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Core.Bench;

/// <summary>
/// The core's part of a callback: its form bytes read, its ResultDetailXML parsed, its CloudEvent written
/// (the id hashed, the results and the XML escaped into JSON). The same bodies as bench/run.sh's load.
/// </summary>
[MemoryDiagnoser]
public class NormalizationBenchmarks
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private readonly CallbackEventFactory _factory = new(CallbackEventOptions.Default);
    private byte[] _fiftyResults = [];
    private byte[][] _mix = [];

    /// <summary>The folder of bench/bodies; the benchmark runs in a folder of BenchmarkDotNet's own.</summary>
    public static string BodiesFolder { get; set; } = "bench/bodies";

    [GlobalSetup]
    public void Setup()
    {
        _fiftyResults = File.ReadAllBytes(Path.Combine(BodiesFolder, "fifty-results.form"));
        _mix = [.. Directory.GetFiles(BodiesFolder, "*.form").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    }

    /// <summary>The 50-result callback of about 34 KB.</summary>
    [Benchmark]
    public int FiftyResults() => Normalize(_fiftyResults);

    /// <summary>Each body of the mix once: what one callback costs on the load's mix is a third of it.</summary>
    [Benchmark]
    public int Mix()
    {
        int length = 0;
        foreach (var body in _mix)
        {
            length += Normalize(body);
        }

        return length;
    }

    public double MixMeanBodyBytes => _mix.Average(body => body.Length);

    /// <summary>
    /// The event made last. As in the server, where it goes on to the publisher, the event outlives the call:
    /// without this, the JIT could allocate it on the stack wherever it inlined the factory (104 B).
    /// </summary>
    public CallbackEvent? Last { get; private set; }

    private int Normalize(byte[] body)
    {
        // As the server does: the read gives its buffers back once the event is made.
        using var read = CallbackFormReader.Read(body);
        Last = _factory.Create(read, body, ReceivedAt, TraceParent);
        return Last.Body.Length;
    }
}
