using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Relay.Infrastructure;

/// <summary>
/// Loopback ports for listeners that are given their port by configuration. A port the kernel hands out
/// for binding to port 0 comes from its ephemeral range, so any outgoing connection of the test run (to
/// the broker, to Relay) may take it as its local port before the listener binds: "address already in
/// use", once in a few hundred tests. These ports come from below that range, where the kernel never
/// picks a local port, in turn from a place of this process's own.
/// </summary>
internal static class FreePort
{
    // Clear of the broker's ports (5672, 15672, 25672 and the test cluster's 5681-5683, 25681-25683).
    private const int Lowest = 16_000;
    private static readonly int Highest = Math.Min(25_000, EphemeralRangeStart()) - 1;
    private static int s_next = Lowest + Random.Shared.Next(Highest - Lowest);

    /// <summary>The first port of the kernel's ephemeral range (<c>net.ipv4.ip_local_port_range</c>).</summary>
    public static int EphemeralRangeStart()
    {
        try
        {
            string range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            return int.Parse(range.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32_768;
        }
    }

    /// <summary>A loopback port nobody listens on now and no outgoing connection can take.</summary>
    public static int Next()
    {
        for (int tries = 0; tries < Highest - Lowest; tries++)
        {
            int port = Lowest + ((Interlocked.Increment(ref s_next) - Lowest) % (Highest - Lowest));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {Highest}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
