
using Relay.Core.Memory;

namespace Relay.RequestBodies;

/// <summary>A request body read whole into a buffer of <see cref="ByteBuffers"/>; given back on dispose.</summary>
internal sealed class BufferedBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(BufferedBody))).AsSpan(0, length);

    public int Length => length;

    public void Dispose()
    {
        if (_buffer is { } returned)
        {
            _buffer = null;
            ByteBuffers.Return(returned);
        }
    }
}
