using Orleans.Concurrency;
using RobustMq.Gateway.Nodes;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>A node's control inbox (node-internal plumbing, keyed by the silo address as a parsable string, placed on that silo).</summary>
public interface INodeControlGrain : IGrainWithStringKey
{
    /// <summary>The blacklist changed in the store: the node reads it again and closes the clients it now covers.</summary>
    Task BlacklistChanged();

    /// <summary>The built-in ACL store changed: the node reads it again and its connected clients follow the new rules.</summary>
    Task AclChanged();
}

/// <summary>Lives on the node its key names; holds no state of its own.</summary>
[NodePlacement, Reentrant]
public sealed class NodeControlGrain(BlacklistService blacklist, RobustMq.Gateway.Security.BuiltInAcl.BuiltInAclSource acl) : Grain, INodeControlGrain
{
    public Task BlacklistChanged() => blacklist.ReloadAsync();

    public Task AclChanged() => acl.ReloadAsync();
}
