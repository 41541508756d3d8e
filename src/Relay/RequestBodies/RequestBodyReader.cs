using System.Buffers;
using System.IO.Pipelines;
using Relay.Core.Memory;

namespace Relay.RequestBodies;

/// <summary>
/// Reads a whole request body into one buffer (<see cref="ByteBuffers"/>), consuming the pipe as it goes (holding it unconsumed
/// would stall Kestrel past its request buffer size), and stopping as soon as the limit is passed.
/// </summary>
internal static class RequestBodyReader
{
    private const int DefaultInitialSize = 4096;

    /// <returns>The body, or null when it is longer than <paramref name="maxBytes"/>.</returns>
    public static async Task<BufferedBody?> ReadAsync(PipeReader reader, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        int initial = contentLength is > 0 and var known && known <= maxBytes ? (int)known : DefaultInitialSize;
        byte[] buffer = ByteBuffers.Rent(initial);
        int length = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var data = result.Buffer;
                if (length + data.Length > maxBytes)
                {
                    reader.AdvanceTo(data.End);
                    ByteBuffers.Return(buffer);
                    return null;
                }

                int needed = length + (int)data.Length;
                if (needed > buffer.Length)
                {
                    byte[] larger = ByteBuffers.Rent((int)Math.Min(maxBytes, Math.Max(needed, (long)buffer.Length * 2)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ByteBuffers.Return(buffer);
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length = needed;
                reader.AdvanceTo(data.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return new BufferedBody(buffer, length);
                }
            }
        }
        catch
        {
            ByteBuffers.Return(buffer);
            throw;
        }
    }
}
