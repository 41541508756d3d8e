using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Relay.Reconciliation;

/// <summary>
/// The calls this instance has seen an event for (a callback, or a recovered or missing event of any
/// instance), with the event's trace context, for at least <see cref="Window"/>. Forgetting costs no
/// expectation: one whose callback is forgotten is retrieved, and its recovered event carries the
/// callback's id. So memory is bounded rather than the window: two generations, the older dropped whole
/// when the newer is a window old or holds <see cref="MaxPerGeneration"/> calls, each call a 128-bit hash
/// of its source and RequestID (RequestIDs compared without regard to case) and a trace context, about
/// 60 bytes, so at most about 60 MB.
/// </summary>
internal sealed class SeenCallbacks
{
    public const int MaxPerGeneration = 500_000;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<UInt128, ActivityContext> _current = [];
    private Dictionary<UInt128, ActivityContext> _previous = [];
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

    public void Add(string eventSource, string requestId, string? traceParent)
    {
        var key = Key(eventSource, requestId);
        ActivityContext.TryParse(traceParent, null, out var context);
        lock (_gate)
        {
            Rotate(adding: true);
            _current[key] = context;
        }
    }

    /// <summary>True when an event of the call was seen, with that event's trace context (default when it had none).</summary>
    public bool TryGet(string eventSource, string requestId, out ActivityContext traceContext)
    {
        var key = Key(eventSource, requestId);
        lock (_gate)
        {
            Rotate(adding: false);
            return _current.TryGetValue(key, out traceContext) || _previous.TryGetValue(key, out traceContext);
        }
    }

    private void Rotate(bool adding)
    {
        var now = _time.GetUtcNow();
        bool full = adding && _current.Count >= MaxPerGeneration;
        if (now - _rotatedAt < Window && !full)
        {
            return;
        }

        // Past two windows, both generations are too old.
        _previous = now - _rotatedAt >= Window * 2 ? [] : _current;
        _current = [];
        _rotatedAt = now;
    }

    private static UInt128 Key(string eventSource, string requestId)
    {
        int length = Encoding.UTF8.GetMaxByteCount(eventSource.Length + requestId.Length + 1);
        byte[]? rented = null;
        Span<byte> bytes = length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = Encoding.UTF8.GetBytes(eventSource, bytes);
            bytes[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(requestId.ToUpperInvariant(), bytes[written..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], hash);
            return BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
