using System.Text;

namespace Relay.Core.Memory;

/// <summary>
/// Valid UTF-8 text in a buffer from <see cref="ByteBuffers"/>, given back by <see cref="Dispose"/>: a
/// callback's ResultDetailXML, the largest of its fields, kept as it arrived rather than as a string twice
/// its size. After <see cref="Dispose"/> it is gone; reading it then is a bug and throws.
/// </summary>
internal sealed class RentedUtf8(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(RentedUtf8))).AsSpan(0, length);

    public int Length => length;

    public override string ToString() => Encoding.UTF8.GetString(Span);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } rented)
        {
            ByteBuffers.Return(rented);
        }
    }
}
