namespace Relay.RequestBodies;

/// <summary>
/// <c>Relay:Callbacks:BodyTimeout</c> for one request: when it passes before the body is complete, the
/// connection is aborted, which ends the pending read. One timer a request, and nothing registered on
/// each read of the body, which a cancellation token passed to the reads would cost.
/// </summary>
internal sealed class BodyDeadline : IDisposable
{
    private readonly HttpContext _context;
    private readonly ITimer _timer;
    private volatile bool _expired;

    public BodyDeadline(HttpContext context, TimeProvider time, TimeSpan timeout)
    {
        _context = context;
        _timer = time.CreateTimer(static state => ((BodyDeadline)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether the body took too long and the connection was cut for it.</summary>
    public bool Expired => _expired;

    private void Expire()
    {
        _expired = true;
        _context.Abort();
    }

    public void Dispose() => _timer.Dispose();
}
