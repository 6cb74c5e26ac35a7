using Orleans.Concurrency;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Security.BuiltInAcl;

namespace RobustMq.Gateway.Nodes;

/// <summary>
/// A node's control inbox (node-internal plumbing, keyed by the silo address as a parsable string, placed on that
/// silo): how other nodes tell it of changes in the stores, and how the admin API of any node asks it about its own
/// clients, so that the API's answers are the cluster's.
/// </summary>
public interface INodeControlGrain : IGrainWithStringKey
{
    /// <summary>The blacklist changed in the store: the node reads it again and closes the clients it now covers.</summary>
    Task BlacklistChanged();

    /// <summary>The built-in ACL store changed: the node reads it again and its connected clients follow the new rules.</summary>
    Task AclChanged();

    /// <summary>The node's counts now.</summary>
    Task<NodeReport> Report();

    /// <summary>The node's connected clients that <paramref name="query"/> selects: how many, and the first <see cref="ClientQuery.Take"/> by client id.</summary>
    Task<ClientPage> Clients(ClientQuery query);

    /// <summary>The client <paramref name="clientId"/> (exactly) if it is connected to this node, else null.</summary>
    Task<ClientSummary?> Client(string clientId);

    /// <summary>
    /// Starts closing the client's connection on this node with DISCONNECT 0x98 Administrative action (a plain close on
    /// 3.1.x), without waiting for it to end; false when it has none here.
    /// </summary>
    Task<bool> Kick(string clientId);

    /// <summary>The topic metrics registrations changed in the store: the node reads them again.</summary>
    Task TopicMetricsChanged();

    /// <summary>The node's counts of every registered topic (<see cref="Metrics.TopicMetrics"/>).</summary>
    Task<Metrics.TopicCounts[]> TopicMetrics();
}

/// <summary>Lives on the node its key names; holds no state of its own.</summary>
[NodePlacement, Reentrant]
public sealed class NodeControlGrain(BlacklistService blacklist, BuiltInAclSource acl, NodeReports reports, Metrics.TopicMetrics topicMetrics) : Grain, INodeControlGrain
{
    public Task BlacklistChanged() => blacklist.ReloadAsync();

    public Task AclChanged() => acl.ReloadAsync();

    public Task<NodeReport> Report() => Task.FromResult(reports.Report());

    public Task<ClientPage> Clients(ClientQuery query) => Task.FromResult(reports.Clients(query));

    public Task<ClientSummary?> Client(string clientId) => Task.FromResult(reports.Client(clientId));

    public Task<bool> Kick(string clientId) => Task.FromResult(reports.Kick(clientId));

    public Task TopicMetricsChanged() => topicMetrics.ReloadAsync();

    public Task<Metrics.TopicCounts[]> TopicMetrics() => Task.FromResult(topicMetrics.Counts());
}
