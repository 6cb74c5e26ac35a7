using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace RobustMq.Silo.Hosting;

/// <summary>The <c>Cluster</c> section: how silos find each other.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary><c>Localhost</c> (one silo, the embedded default) or <c>AdoNet</c> (PostgreSQL membership).</summary>
    public string Mode { get; set; } = "Localhost";

    /// <summary>With <c>AdoNet</c>: the Npgsql connection string of the cluster database (<c>robustmq db init</c> makes its schema).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// With <c>AdoNet</c>: the IP address other silos reach this one at, and the one its Orleans ports bind; empty: the
    /// host's first non-loopback address. <c>Localhost</c> always uses the loopback address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    public int SiloPort { get; set; } = DefaultSiloPort;
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>The cluster's name: silos with the same one (and database) form one cluster.</summary>
    public string ClusterId { get; set; } = "robustmq";
    public string ServiceId { get; set; } = "robustmq";

    /// <summary>With <c>AdoNet</c>: how long a silo waits for a probe's answer, and how often it probes (ms, 200 .. 60000).</summary>
    public int ProbeTimeoutMs { get; set; } = 1000;

    /// <summary>With <c>AdoNet</c>: missed probes after which a silo votes another dead (1 .. 10).</summary>
    public int MissedProbesLimit { get; set; } = 2;

    public bool IsAdoNet => Mode == "AdoNet";

    /// <summary>The address the Orleans ports bind and are advertised at (see <see cref="AdvertisedAddress"/>).</summary>
    public IPAddress SiloAddress() => !IsAdoNet ? IPAddress.Loopback
        : AdvertisedAddress is { Length: > 0 } configured ? IPAddress.Parse(configured)
        : HostAddress();

    /// <summary>The first IPv4 address of an interface that is up and not the loopback; the loopback when there is none.</summary>
    private static IPAddress HostAddress()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var address in nic.GetIPProperties().UnicastAddresses)
            {
                if (address.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address.Address))
                {
                    return address.Address;
                }
            }
        }

        return IPAddress.Loopback;
    }
}
