using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Topics;

namespace RobustMq.Abstractions.Routing;

/// <summary>
/// One subscriber of a topic filter, as replicated to every node's route cache. <see cref="ShareGroup"/>
/// is set for <c>$share/{group}/{filter}</c> members. <see cref="Node"/> is where the subscriber's
/// session is attached (or was last attached). <see cref="CheckRead"/>: the ACL could refuse some topic of the
/// filter to this client, so the router checks each message (the ACL read check as <see cref="UserName"/>)
/// before delivering it on this route. <see cref="Persistent"/>: the subscriber's session outlives its connection, so
/// the route stays when <see cref="Node"/> leaves the cluster (its messages are queued for the client's return), while
/// a clean session's route ends with its node.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.route.v1")]
public sealed record RouteEntry(
    [property: Id(0)] string Filter,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string Node,
    [property: Id(3)] byte QoS,
    [property: Id(4)] bool NoLocal,
    [property: Id(5)] bool RetainAsPublished,
    [property: Id(6)] uint SubscriptionId,
    [property: Id(7)] string? ShareGroup = null,
    [property: Id(8)] bool CheckRead = false,
    [property: Id(9)] string? UserName = null,
    [property: Id(10)] bool Persistent = false)
{
    /// <summary>The route of a session's subscription: a <c>$share/{group}/{filter}</c> becomes the inner filter marked with its group.</summary>
    public static RouteEntry For(SubscriptionRecord subscription, string clientId, string node, bool persistent)
    {
        var filter = subscription.Filter;
        string? group = null;
        if (SharedSubscription.TryParse(filter, out var shared))
        {
            filter = shared.Filter;
            group = shared.Group;
        }

        return new RouteEntry(filter, clientId, node, subscription.QoS, subscription.NoLocal, subscription.RetainAsPublished, subscription.SubscriptionId, group,
            subscription.CheckRead, subscription.UserName, persistent);
    }
}
