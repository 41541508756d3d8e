using Relay.Core.Memory;

namespace Relay.Callbacks;

/// <summary>
/// Turns at normalizing a body: at once for a small one, one per core for large ones. The work is
/// CPU-bound, so more large ones at once would only add each one's transient memory (a few times its size)
/// to the peak, and finish no sooner.
/// </summary>
internal sealed class LargeNormalizationTurns : IDisposable
{
    private readonly SemaphoreSlim _turns = new(Environment.ProcessorCount);

    /// <summary>A turn at normalizing a body of <paramref name="bytes"/>; dispose it when done.</summary>
    public async ValueTask<Turn> TakeAsync(int bytes)
    {
        if (bytes <= ByteBuffers.PooledMaxLength)
        {
            return default;
        }

        await _turns.WaitAsync();
        return new Turn(_turns);
    }

    public void Dispose() => _turns.Dispose();

    public readonly struct Turn(SemaphoreSlim? turns) : IDisposable
    {
        public void Dispose() => turns?.Release();
    }
}
