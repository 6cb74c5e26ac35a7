using System.Net;
using System.Net.Sockets;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// Before anything binds: every port the broker will listen on must be free, or start-up stops naming the key.
/// Needed because Orleans binds its silo and gateway ports with <c>SocketOptionName.ReuseAddress</c>
/// (dotnet/orleans src/Orleans.Core/Networking/Shared/SocketConnectionListener.cs, <c>Bind</c>), which .NET turns into
/// SO_REUSEADDR plus SO_REUSEPORT on Linux and macOS: a second broker's silo would bind beside the first one's
/// instead of failing. This check binds without SO_REUSEPORT, so any listener on the port (ours or not) is found.
/// A process that takes a port between this check and the real bind still makes the bind fail (Program maps that too).
/// </summary>
public static class PortCheck
{
    /// <summary>Throws <see cref="ConfigurationException"/> (with the <see cref="SocketException"/> inside) for the first taken port.</summary>
    public static void EnsureFree(IEnumerable<(string Key, IPAddress Address, int Port)> endpoints)
    {
        foreach (var (key, address, port) in endpoints)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            try
            {
                socket.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
            {
                throw new ConfigurationException(Describe(key, address, port, ex), ex);
            }
        }
    }

    /// <summary>The one line for a port that cannot be bound, e.g. <c>Listeners:Tcp:Port 1883 is already in use (0.0.0.0:1883: Address already in use)</c>.</summary>
    public static string Describe(string key, IPAddress address, int port, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => $"{key} {port} is already in use ({new IPEndPoint(address, port)}: {ex.Message}); another process listens there",
        SocketError.AccessDenied => $"{key} {port} cannot be bound ({new IPEndPoint(address, port)}: {ex.Message}); ports below 1024 need privileges",
        _ => $"{key} {port} cannot be bound ({new IPEndPoint(address, port)}: {ex.Message})",
    };
}
