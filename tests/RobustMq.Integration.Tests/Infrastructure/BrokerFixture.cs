using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using RobustMq.Silo.Hosting;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// One embedded broker (a real silo with real Kestrel listeners) on free loopback ports, shared by the
/// tests of a class. Extra configuration can be given by subclasses.
/// With <c>ROBUSTMQ_TEST_TOPOLOGY=cluster</c> (<see cref="ClusterMode"/>) it is a cluster instead: two
/// <c>robustmq</c> processes on a database of their own in a throwaway PostgreSQL server
/// (<see cref="SharedPostgres"/>), behind a <see cref="RoundRobinForwarder"/> on <see cref="MqttPort"/> and
/// <see cref="WebSocketPort"/>, so a test's consecutive clients (a subscriber, then its publisher) are on different
/// silos; <see cref="AdminPort"/> and <see cref="GatewayPort"/> are the first silo's. A plain fixture (no extra
/// configuration) takes over the cluster of a class that has finished, when one is idle, rather than starting its own. Tests that need the one
/// in-process broker (<see cref="Services"/>) or a single node's view carry <c>[Trait("Topology", "SingleNode")]</c>
/// and are left out of that run.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private const int StartAttempts = 3;

    /// <summary>Whether the suite runs against a 2-silo cluster (<c>ROBUSTMQ_TEST_TOPOLOGY=cluster</c>).</summary>
    public static bool ClusterMode { get; } = Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_TOPOLOGY") == "cluster";

    /// <summary>
    /// Clusters of plain <see cref="BrokerFixture"/>s (no extra configuration) whose test class has finished, ready for
    /// the next such class: a 2-silo start costs ~6 s of both cores, and some 30 classes use this configuration. A class
    /// gets a cluster no other class is using at the time; what earlier classes left in it (retained messages, stored
    /// sessions) is under their own topics and client ids. The silos are killed when the test process exits.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentQueue<FixtureCluster> IdleClusters = new();

    private static int _exitHookSet;

    private WebApplication? _app;
    private FixtureCluster? _cluster;

    public int MqttPort { get; private set; } = FreePorts.Next();
    public int WebSocketPort { get; private set; } = FreePorts.Next();
    public int AdminPort { get; private set; } = FreePorts.Next();
    public int SiloPort { get; private set; } = FreePorts.Next();
    public int GatewayPort { get; private set; } = FreePorts.Next();

    /// <summary>The embedded broker's services.</summary>
    /// <exception cref="InvalidOperationException">In <see cref="ClusterMode"/>: there is no broker in this process.</exception>
    public IServiceProvider Services => _app?.Services
        ?? throw new InvalidOperationException("A cluster-mode fixture has no broker in this process: the test needs [Trait(\"Topology\", \"SingleNode\")].");

    /// <summary>The silos of a <see cref="ClusterMode"/> fixture (empty otherwise).</summary>
    public IReadOnlyList<BrokerExecutable> Silos => _cluster?.Silos ?? [];

    /// <summary>This broker's own Storage:Path, deleted when the fixture is disposed.</summary>
    public string DataPath { get; } = Directory.CreateTempSubdirectory("robustmq-data-").FullName;

    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>The cluster database (membership and <c>Storage:Default</c> Postgres, shared) in <see cref="ClusterMode"/>; null otherwise.</summary>
    public string? ClusterConnectionString => _cluster?.ConnectionString;

    public virtual async Task InitializeAsync()
    {
        if (ClusterMode)
        {
            await StartClusterAsync();
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (Exception ex) when (attempt < StartAttempts && IsAddressInUse(ex))
            {
                // Another process took one of the ports between the check and the bind: new ports, new broker.
                await AbandonAsync();
                MqttPort = FreePorts.Next();
                WebSocketPort = FreePorts.Next();
                AdminPort = FreePorts.Next();
                SiloPort = FreePorts.Next();
                GatewayPort = FreePorts.Next();
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        if (_cluster is { } cluster)
        {
            _cluster = null;
            if (Pooled && cluster.Silos.All(s => !s.HasExited))
            {
                IdleClusters.Enqueue(cluster);
            }
            else
            {
                await cluster.DisposeAsync(GetType().Name);
            }
        }

        Directory.Delete(DataPath, recursive: true);
    }

    /// <summary>Whether this fixture's cluster comes from, and goes back to, <see cref="IdleClusters"/>: plain fixtures only.</summary>
    private bool Pooled => GetType() == typeof(BrokerFixture);

    private async Task StartClusterAsync()
    {
        if (!Pooled || !IdleClusters.TryDequeue(out var cluster))
        {
            cluster = await FixtureCluster.StartAsync(ExtraArguments.ToList());
            if (Pooled && Interlocked.Exchange(ref _exitHookSet, 1) == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    while (IdleClusters.TryDequeue(out var idle))
                    {
                        idle.KillAtExit();
                    }
                };
            }
        }

        _cluster = cluster;
        MqttPort = cluster.Forwarders[0].Port;
        WebSocketPort = cluster.Forwarders[1].Port;
        AdminPort = cluster.Silos[0].Ports["Admin:Port"];
        SiloPort = cluster.Silos[0].Ports["Cluster:SiloPort"];
        GatewayPort = cluster.Silos[0].Ports["Cluster:GatewayPort"];
    }

    private async Task StartAsync()
    {
        string[] args =
        [
            "--Listeners:Tcp:Address=127.0.0.1", $"--Listeners:Tcp:Port={MqttPort}",
            "--Listeners:WebSocket:Address=127.0.0.1", $"--Listeners:WebSocket:Port={WebSocketPort}",
            "--Admin:Address=127.0.0.1", $"--Admin:Port={AdminPort}",
            $"--Cluster:SiloPort={SiloPort}", $"--Cluster:GatewayPort={GatewayPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Sys:IntervalSeconds=1",
            $"--Storage:Path={DataPath}",
            .. ExtraArguments,
        ];
        _app = BrokerHost.Create(args);
        await _app.StartAsync();
    }

    private async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        var app = _app;
        _app = null;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(cts.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private async Task AbandonAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // A host that failed to start may not stop cleanly either; it is dropped.
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
