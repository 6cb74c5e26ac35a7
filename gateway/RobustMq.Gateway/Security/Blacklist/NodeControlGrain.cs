using Orleans.Concurrency;
using RobustMq.Gateway.Nodes;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>A node's control inbox (node-internal plumbing, keyed by the silo address as a parsable string, placed on that silo).</summary>
public interface INodeControlGrain : IGrainWithStringKey
{
    /// <summary>The blacklist changed in the store: the node reads it again and closes the clients it now covers.</summary>
    Task BlacklistChanged();
}

/// <summary>Lives on the node its key names; holds no state of its own.</summary>
[NodePlacement, Reentrant]
public sealed class NodeControlGrain(BlacklistService blacklist) : Grain, INodeControlGrain
{
    public Task BlacklistChanged() => blacklist.ReloadAsync();
}
