using System.Text;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>A sink that writes each result handed over as the event's JSON does, into one array.</summary>
internal sealed class CollectedResults : IResultSink
{
    private readonly JsonBuffer _json = new(256);

    public CollectedResults() => _json.StartArray();

    public void Result(ResultTree tree, int node) => ResultTreeJsonWriter.WriteObject(_json, tree, node);

    public void Discard()
    {
        _json.Clear();
        _json.StartArray();
    }

    public string Json()
    {
        _json.EndArray();
        return Encoding.UTF8.GetString(_json.Written);
    }
}
