using Orleans.Concurrency;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Nodes.Storage;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Security.BuiltInAcl;
using RobustMq.Gateway.Settings;

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

    /// <summary>The sessions of those of <paramref name="clientIds"/> whose clients are connected to this node.</summary>
    Task<SessionStats[]> Sessions(string[] clientIds);

    /// <summary>SUBSCRIBE on behalf of a client connected here (<see cref="NodeAdmin.SubscribeAsync"/>): the reason codes, null when it is not here, empty when its connection did not take it in time (nothing changed).</summary>
    Task<byte[]?> Subscribe(string clientId, SubscriptionRecord[] subscriptions);

    /// <summary>UNSUBSCRIBE on behalf of a client connected here (<see cref="NodeAdmin.UnsubscribeAsync"/>): the reason codes, null when it is not here, empty when its connection did not take it in time (nothing changed).</summary>
    Task<byte[]?> Unsubscribe(string clientId, string[] filters);

    /// <summary>The run-time settings changed in the store (<c>PUT /api/v1/configs</c>): the node reads and applies them.</summary>
    Task ConfigChanged();

    /// <summary>The traces changed in the store: the node reads them again (starts, stops, deletes files).</summary>
    Task TraceChanged();

    /// <summary>This node's file sizes of its traces, by trace name (bytes).</summary>
    Task<Dictionary<string, long>> TraceSizes();

    /// <summary>This node's file of trace <paramref name="name"/>: at most <paramref name="maxBytes"/> (capped at <see cref="Ops.TraceService.MaxDownloadBytesPerNode"/>), whole lines.</summary>
    Task<Ops.TraceLog> TraceLog(string name, int maxBytes);

    /// <summary>The slow subscriptions settings changed in the store: the node reads them again.</summary>
    Task SlowSubsChanged();

    /// <summary>This node's slowest subscriber/topic pairs, slowest first.</summary>
    Task<List<Ops.SlowSubscription>> SlowSubscriptions();

    /// <summary>Forgets this node's slow subscriber/topic pairs.</summary>
    Task ClearSlowSubscriptions();

    /// <summary>This node's alarms: activated (true), deactivated (false) or both (null).</summary>
    Task<List<Ops.Alarm>> Alarms(bool? activated);

    /// <summary>Forgets this node's deactivated alarms.</summary>
    Task ClearAlarms();

    /// <summary>The topic metrics registrations changed in the store: the node reads them again.</summary>
    Task TopicMetricsChanged();

    /// <summary>The node's counts of every registered topic (<see cref="Metrics.TopicMetrics"/>).</summary>
    Task<Metrics.TopicCounts[]> TopicMetrics();

    /// <summary>The storage backends open on this node (<see cref="INodeStorage.BackendsAsync"/>).</summary>
    Task<EngineBackend[]> EngineBackends(EngineScope scope);

    /// <summary>This node's shards by name prefix (<see cref="INodeStorage.ShardsAsync"/>).</summary>
    Task<EngineShardPage> EngineShards(EngineScope scope, string prefix, int take);

    /// <summary>This node's keyed spaces with their keys and value bytes (<see cref="INodeStorage.SpacesAsync"/>).</summary>
    Task<EngineSpace[]> EngineSpaces(EngineScope scope, string? backend);

    /// <summary>One shard in each of this node's backends that holds it (<see cref="INodeStorage.ShardAsync"/>).</summary>
    Task<EngineShard[]> EngineShard(EngineScope scope, string name);

    /// <summary>A shard's segment files (<see cref="INodeStorage.SegmentsAsync"/>).</summary>
    Task<EngineSegments[]> EngineSegments(EngineScope scope, string name);

    /// <summary>A shard's first offset at or after a time (<see cref="INodeStorage.OffsetByTimestampAsync"/>).</summary>
    Task<EngineOffset[]> EngineOffsetByTimestamp(EngineScope scope, string name, long timestampMs);

    /// <summary>Sets a consumer's committed offset (<see cref="INodeStorage.CommitAsync"/>).</summary>
    Task<EngineChange[]> EngineCommit(EngineScope scope, string name, string consumer, long offset);

    /// <summary>Deletes a shard (<see cref="INodeStorage.DeleteShardAsync"/>).</summary>
    Task<EngineChange[]> EngineDeleteShard(EngineScope scope, string name, bool force);
}

/// <summary>Lives on the node its key names; holds no state of its own.</summary>
[NodePlacement, Reentrant]
public sealed class NodeControlGrain(BlacklistService blacklist, BuiltInAclSource acl, NodeReports reports, NodeAdmin admin, RuntimeSettings settings, Ops.OpsServices ops, Metrics.TopicMetrics topicMetrics, INodeStorage? storage = null) : Grain, INodeControlGrain
{
    public Task BlacklistChanged() => blacklist.ReloadAsync();

    public Task AclChanged() => acl.ReloadAsync();

    public Task<NodeReport> Report() => Task.FromResult(reports.Report());

    public Task<ClientPage> Clients(ClientQuery query) => Task.FromResult(reports.Clients(query));

    public Task<ClientSummary?> Client(string clientId) => Task.FromResult(reports.Client(clientId));

    public Task<bool> Kick(string clientId) => Task.FromResult(reports.Kick(clientId));

    public Task<SessionStats[]> Sessions(string[] clientIds) => Task.FromResult(admin.Sessions(clientIds));

    public Task<byte[]?> Subscribe(string clientId, SubscriptionRecord[] subscriptions) => admin.SubscribeAsync(clientId, subscriptions);

    public Task<byte[]?> Unsubscribe(string clientId, string[] filters) => admin.UnsubscribeAsync(clientId, filters);

    public Task ConfigChanged() => settings.ReloadAsync();

    public Task TraceChanged() => ops.Trace.ReloadAsync();

    public Task<Dictionary<string, long>> TraceSizes() => Task.FromResult(ops.Trace.Sizes());

    public Task<Ops.TraceLog> TraceLog(string name, int maxBytes) => Task.FromResult(ops.Trace.Read(name, maxBytes) with { Node = ops.Node.Name });

    public Task SlowSubsChanged() => ops.SlowSubs.ReloadAsync();

    public Task<List<Ops.SlowSubscription>> SlowSubscriptions() => Task.FromResult(ops.SlowSubs.List());

    public Task ClearSlowSubscriptions()
    {
        ops.SlowSubs.Clear();
        return Task.CompletedTask;
    }

    public Task<List<Ops.Alarm>> Alarms(bool? activated) => Task.FromResult(ops.Alarms.List(activated));

    public Task ClearAlarms()
    {
        ops.Alarms.ClearDeactivated();
        return Task.CompletedTask;
    }

    public Task TopicMetricsChanged() => topicMetrics.ReloadAsync();

    public Task<Metrics.TopicCounts[]> TopicMetrics() => Task.FromResult(topicMetrics.Counts());

    public Task<EngineBackend[]> EngineBackends(EngineScope scope) => Storage.BackendsAsync(scope);

    public Task<EngineShardPage> EngineShards(EngineScope scope, string prefix, int take) => Storage.ShardsAsync(scope, prefix, take);

    public Task<EngineSpace[]> EngineSpaces(EngineScope scope, string? backend) => Storage.SpacesAsync(scope, backend);

    public Task<EngineShard[]> EngineShard(EngineScope scope, string name) => Storage.ShardAsync(scope, name);

    public Task<EngineSegments[]> EngineSegments(EngineScope scope, string name) => Storage.SegmentsAsync(scope, name);

    public Task<EngineOffset[]> EngineOffsetByTimestamp(EngineScope scope, string name, long timestampMs) => Storage.OffsetByTimestampAsync(scope, name, timestampMs);

    public Task<EngineChange[]> EngineCommit(EngineScope scope, string name, string consumer, long offset) => Storage.CommitAsync(scope, name, consumer, offset);

    public Task<EngineChange[]> EngineDeleteShard(EngineScope scope, string name, bool force) => Storage.DeleteShardAsync(scope, name, force);

    /// <summary>The silo's storage engines; a host without them (gateway tests) has none to show.</summary>
    private INodeStorage Storage => storage ?? throw new InvalidOperationException("this host has no storage engines");
}
