using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Gateway.Nodes;
using RobustMq.Grains.Storage;

namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>
/// Two in-process silos, each configured like the broker's silo (node placement director and the real
/// node-local services from <c>AddRobustMqGateway</c>), shared by every test of the <c>cluster</c>
/// collection. Tests keep apart by using their own client ids and topics.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int SiloCount = 2;
    public const int MaxQueuedMessages = 5;

    /// <summary>The one ACL rule of the cluster: subscribing under it is denied to everyone.</summary>
    public const string DeniedForSubscribe = "cluster-acl/secret/#";

    private static readonly string AclFile = Path.Combine(Path.GetTempPath(), $"robustmq-cluster-{Guid.NewGuid():N}.acl");

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Sys:IntervalSeconds"] = "0",
        ["Mqtt:MaxQueuedMessages"] = MaxQueuedMessages.ToString(CultureInfo.InvariantCulture),
        ["Acl:File"] = AclFile,
        ["Storage:Default"] = "Memory",
    };

    private InProcessTestCluster? _cluster;
    private long _nextConnectionId;

    public IClusterClient Client => Cluster.Client;

    private InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(AclFile, $"deny subscribe {DeniedForSubscribe}\n");
        var builder = new InProcessTestClusterBuilder(SiloCount);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(Settings);
            host.Services.AddRobustMqGateway(host.Configuration);
            host.Services.AddRobustMqStorage(host.Configuration);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
            silo.AddIncomingGrainCallFilter<EnqueueHold>();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        for (var i = 0; i < SiloCount; i++)
        {
            await WaitForActiveSilos(i);
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        File.Delete(AclFile);
    }

    /// <summary>The node name of silo <paramref name="silo"/>: the key of its dispatcher and of connections on it.</summary>
    public string Node(int silo) => NodeNames.Of(Cluster.Silos[silo].SiloAddress);

    /// <summary>A node-wide service of silo <paramref name="silo"/>, as its grains and connections get it.</summary>
    public T Service<T>(int silo) where T : notnull => Cluster.Silos[silo].ServiceProvider.GetRequiredService<T>();

    /// <summary>The real route cache of silo <paramref name="silo"/>.</summary>
    public RouteCache Routes(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<RouteCache>();

    /// <summary>The real publish path of silo <paramref name="silo"/>.</summary>
    public MessageRouter Router(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<MessageRouter>();

    /// <summary><c>robustmq_messages_dropped_total{reason}</c> summed over the silos.</summary>
    public double Dropped(string reason)
    {
        var total = 0.0;
        for (var i = 0; i < SiloCount; i++)
        {
            total += Cluster.Silos[i].ServiceProvider.GetRequiredService<BrokerMetrics>().MessagesDropped.WithLabels(reason).Value;
        }

        return total;
    }

    /// <summary>
    /// Put routes straight into every silo's route cache (<paramref name="add"/>) or take them out, with no topic shard or
    /// session behind them: the routes a session leaves behind when their removal fails.
    /// </summary>
    public void ApplyToEveryCache(bool add, params RouteEntry[] entries)
    {
        var changes = Array.ConvertAll(entries, e => new RouteChange(add, e));
        for (var i = 0; i < SiloCount; i++)
        {
            Routes(i).Apply(changes);
        }
    }

    /// <summary>A fresh connection on silo <paramref name="silo"/>, unique in the test run.</summary>
    public ConnectionRef NewConnection(int silo) => new(Node(silo), Interlocked.Increment(ref _nextConnectionId));

    public TestClient NewClient(string clientId) => new(this, clientId);

    /// <summary>The routes of <paramref name="clientId"/> that match <paramref name="topic"/> in silo <paramref name="silo"/>'s cache.</summary>
    public List<RouteEntry> Matches(int silo, string topic, string clientId)
    {
        var all = new List<RouteEntry>();
        Routes(silo).Match(topic, all);
        return all.FindAll(r => r.ClientId == clientId);
    }

    /// <summary>Every route of <paramref name="clientId"/> in silo <paramref name="silo"/>'s cache.</summary>
    public List<RouteEntry> RoutesOf(int silo, string clientId) => Routes(silo).Snapshot().FindAll(r => r.ClientId == clientId);

    private async Task WaitForActiveSilos(int silo)
    {
        var membership = Cluster.Silos[silo].ServiceProvider.GetRequiredService<IClusterMembershipService>();
        if (ActiveCount(membership.CurrentSnapshot) == SiloCount)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(timeout.Token))
            {
                if (ActiveCount(snapshot) == SiloCount)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException(
            $"Cluster start-up: silo {silo} sees {ActiveCount(membership.CurrentSnapshot)} active silos after 30 s, expected {SiloCount}.");
    }

    private static int ActiveCount(ClusterMembershipSnapshot snapshot)
    {
        var count = 0;
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                count++;
            }
        }

        return count;
    }
}
