using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>
/// <see cref="ResultDetailXmlParser.Stream"/> hands results over as they are parsed and lets them go, and
/// always ends with what <see cref="ResultDetailXmlParser.Parse"/> finds.
/// </summary>
public sealed class ResultDetailXmlStreamingTests
{
    public static TheoryData<string, string> Shapes => new()
    {
        { "results under a root", "<R>" + Results(3) + "<RequestID>r</RequestID></R>" },
        { "results deeper, beside other children", "<R><Head>h</Head><Batch>" + Results(2) + "</Batch><Batch>" + Results(2) + "</Batch></R>" },
        { "a root that is a result itself, its StatusCode first", "<R><StatusCode>OK</StatusCode>" + Results(2) + "</R>" },
        { "a root that is a result itself, its StatusCode after results", "<R>" + Results(2) + "<StatusCode>OK</StatusCode></R>" },
        { "a child that is a result, its StatusCode after a nested result", "<R><Results><Object><StatusCode>x</StatusCode></Object><StatusCode>OK</StatusCode></Results></R>" },
        { "no result anywhere: the root's children", "<R><A>1</A><B>2</B><A>3</A></R>" },
        { "no result and no children: the roots", "<A>1</A><B>2</B>" },
        { "a fragment of roots holding results", "<R>" + Results(2) + "</R><S>" + Results(1) + "</S>" },
        { "a fragment of roots that are results", Results(3) },
        { "a fragment: a root without results, then one with", "<R><A>1</A></R><S>" + Results(2) + "</S>" },
        { "an empty result element among results", "<R>" + Results(1) + "<Results/>" + Results(1) + "</R>" },
        { "not well-formed after results", "<R>" + Results(2) + "<Broken></R>" },
        { "too deep after results", "<R>" + Results(2) + string.Concat(Enumerable.Repeat("<D>", 70)) + string.Concat(Enumerable.Repeat("</D>", 70)) + "</R>" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Stream_EndsWithWhatParseFinds(string shape, string xml)
    {
        var parsed = ResultDetailXmlParser.Parse(xml, ResultDetailXmlLimits.Default);
        var sink = new Collecting();

        string? error = ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out bool found);

        Assert.True(parsed.Error == error, shape);
        if (error is null)
        {
            Assert.True(found, shape);
            Assert.Equal(Json(parsed.Results!), Json(sink.Results));
        }
    }

    [Fact]
    public void Stream_LetsEachResultGo_OnceHandedOver()
    {
        var xml = "<CreateResponse>" + Results(20_000) + "</CreateResponse>";
        var sink = new Forgetting();

        ResultDetailXmlParser.Stream(xml, ResultDetailXmlLimits.Default, sink, out _);

        Assert.Equal(20_000, sink.Count);
        Assert.True(sink.FirstCollectedWhileParsing, "the first result was still held after 10,000 more");
    }

    private static string Results(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"<Results><StatusCode>OK</StatusCode><ID>{i}</ID></Results>"));

    private static string Json(IEnumerable<ResultElement> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var result in results)
            {
                ResultElementJsonWriter.WriteObject(writer, result);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class Collecting : IResultSink
    {
        public List<ResultElement> Results { get; } = [];

        public void Result(ResultElement result) => Results.Add(result);

        public void Discard() => Results.Clear();
    }

    private sealed class Forgetting : IResultSink
    {
        private WeakReference<ResultElement>? _first;

        public int Count { get; private set; }

        public bool FirstCollectedWhileParsing { get; private set; }

        public void Result(ResultElement result)
        {
            if (++Count == 1)
            {
                Remember(result);
            }
            else if (Count == 10_000)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                FirstCollectedWhileParsing = !_first!.TryGetTarget(out _);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Remember(ResultElement result) => _first = new WeakReference<ResultElement>(result);

        public void Discard() => Count = 0;
    }
}
