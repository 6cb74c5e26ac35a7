using System.Net;
using System.Net.Sockets;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>A port another process listens on stops start-up with one line naming the key and the port (exit 2).</summary>
[Trait("Topology", "SingleNode")]
public sealed class PortInUseTests
{
    /// <summary>Each listener's key, with the address the broker binds it to and the address the other process holds.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var key in new[] { "Listeners:Tcp:Port", "Listeners:WebSocket:Port", "Listeners:Tls:Port", "Listeners:Wss:Port", "Admin:Port" })
        {
            // Another process on the wildcard blocks our loopback listener, and one on loopback blocks our wildcard.
            data.Add(key, "127.0.0.1", "0.0.0.0");
            data.Add(key, "0.0.0.0", "127.0.0.1");
        }

        // Orleans listens on loopback (UseLocalhostClustering).
        data.Add("Cluster:SiloPort", "127.0.0.1", "0.0.0.0");
        data.Add("Cluster:SiloPort", "127.0.0.1", "127.0.0.1");
        data.Add("Cluster:GatewayPort", "127.0.0.1", "0.0.0.0");
        data.Add("Cluster:GatewayPort", "127.0.0.1", "127.0.0.1");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Taken_port_stops_start_up_naming_the_key_and_port(string key, string brokerAddress, string otherAddress)
    {
        var port = FreePorts.Next();
        using var other = new TcpListener(IPAddress.Parse(otherAddress), port);
        other.Start();
        using var tls = new TestCertificate();

        await using var broker = BrokerExecutable.Start(ArgumentsFor(key, port, brokerAddress, tls));
        var exitCode = await broker.WaitForExitAsync($"broker with {key}={port} on {brokerAddress}, port held on {otherAddress}");

        var lines = broker.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; output:\n{broker.Log}");
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{broker.Log}");
        Assert.Contains($"{key} {port} is already in use", lines[0], StringComparison.Ordinal);
    }

    internal static IEnumerable<string> ArgumentsFor(string key, int port, string address, TestCertificate tls)
    {
        yield return $"--{key}={port}";
        var section = key[..key.LastIndexOf(':')];
        if (!section.StartsWith("Cluster", StringComparison.Ordinal))
        {
            yield return $"--{section}:Address={address}";
        }

        if (key is "Listeners:Tls:Port" or "Listeners:Wss:Port")
        {
            yield return $"--Listeners:Tls:Certificate={tls.CertificatePath}";
            yield return $"--Listeners:Tls:Key={tls.KeyPath}";
        }
    }
}
