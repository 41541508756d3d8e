namespace Relay.Reconciliation;

/// <summary>
/// The calls this instance has seen an event for (a callback, or a recovered or missing event of any
/// instance), with the event's trace context, for at least <see cref="Window"/>. Forgetting costs no
/// expectation: one fulfilled by a callback older than the
/// window is retrieved, and its recovered event carries the callback's id. Two generations, the older
/// dropped whole when the newer is a window old, keep an entry between one and two windows without a timer
/// per entry.
/// </summary>
internal sealed class SeenCallbacks
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<string, string?> _current = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, string?> _previous = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset _rotatedAt;

    public SeenCallbacks(TimeSpan window, TimeProvider time)
    {
        Window = window;
        _time = time;
        _rotatedAt = time.GetUtcNow();
    }

    public TimeSpan Window { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    public static string Key(string eventSource, string requestId) => string.Concat(eventSource, "\n", requestId);

    public void Add(string eventSource, string requestId, string? traceParent)
    {
        string key = Key(eventSource, requestId);
        lock (_gate)
        {
            Rotate();
            _current[key] = traceParent;
        }
    }

    /// <summary>True when an event of the call was seen, with that event's trace context.</summary>
    public bool TryGet(string eventSource, string requestId, out string? traceParent)
    {
        string key = Key(eventSource, requestId);
        lock (_gate)
        {
            Rotate();
            return _current.TryGetValue(key, out traceParent) || _previous.TryGetValue(key, out traceParent);
        }
    }

    private void Rotate()
    {
        var now = _time.GetUtcNow();
        if (now - _rotatedAt < Window)
        {
            return;
        }

        // Past a whole window, both generations are too old.
        _previous = now - _rotatedAt >= Window * 2 ? new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) : _current;
        _current = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _rotatedAt = now;
    }
}
