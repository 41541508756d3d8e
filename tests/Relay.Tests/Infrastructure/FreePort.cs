using System.Net;
using System.Net.Sockets;

namespace Relay.Infrastructure;

internal static class FreePort
{
    /// <summary>A loopback port nobody listens on now, for a listener that is given its port by configuration.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
