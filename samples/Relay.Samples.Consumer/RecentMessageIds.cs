namespace Relay.Samples.Consumer;

/// <summary>
/// Relay delivers at least once, with a stable message-id per callback: remember the ids seen lately and
/// skip a repeat. A real consumer keeps this where its own writes are (a unique key in its database).
/// </summary>
public sealed class RecentMessageIds(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>True the first time an id is seen, false for a repeat.</summary>
    public bool TryAdd(string id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }

        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }
}
