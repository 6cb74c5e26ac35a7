using System.Net;
using System.Net.Sockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>Free loopback ports, asked of the OS (the machine is shared: never a fixed port).</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
