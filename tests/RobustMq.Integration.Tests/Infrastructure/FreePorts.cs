using System.Net;
using System.Net.Sockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// Free loopback ports, checked by binding (the machine is shared: never a fixed port). They are drawn below
/// the kernel's ephemeral range (32768+ on Linux), so the source port of some outgoing connection cannot take
/// one between the check and the broker's bind; each port is handed out once per process.
/// </summary>
public static class FreePorts
{
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (HandedOut.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                HandedOut.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
    }

    /// <summary>True when nothing listens on loopback <paramref name="port"/> now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
