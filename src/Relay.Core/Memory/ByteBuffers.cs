using System.Buffers;

namespace Relay.Core.Memory;

/// <summary>
/// Scratch byte buffers for a callback's work. Up to <see cref="PooledMaxLength"/> they come from
/// <see cref="ArrayPool{T}.Shared"/> and go back for reuse, as the hot path's small callbacks want; a larger
/// one is allocated for its one use and left to the GC. The shared pool keeps an array of each size per
/// thread and several per core, so pooling 8 MiB buffers held hundreds of MiB long after a burst of large
/// callbacks had ended.
/// </summary>
internal static class ByteBuffers
{
    public const int PooledMaxLength = 1024 * 1024;

    public static byte[] Rent(int minimumLength) =>
        minimumLength <= PooledMaxLength ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives back a buffer from <see cref="Rent"/>; a large one is simply dropped.</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length <= PooledMaxLength)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
