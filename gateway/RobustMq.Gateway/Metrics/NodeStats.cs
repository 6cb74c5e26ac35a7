namespace RobustMq.Gateway.Metrics;

/// <summary>A node's counts for <c>$SYS/brokers/{node}/stats/...</c> (EMQX's stats: connections, topics, routes, ...).</summary>
public sealed record NodeStats(long Connections, long Sessions, long Topics, long Routes, long Subscribers, long Subscriptions, long SharedSubscriptions, long Retained)
{
    /// <summary>Each count's higher value.</summary>
    public static NodeStats Max(NodeStats a, NodeStats b) => new(
        Math.Max(a.Connections, b.Connections), Math.Max(a.Sessions, b.Sessions), Math.Max(a.Topics, b.Topics), Math.Max(a.Routes, b.Routes),
        Math.Max(a.Subscribers, b.Subscribers), Math.Max(a.Subscriptions, b.Subscriptions), Math.Max(a.SharedSubscriptions, b.SharedSubscriptions),
        Math.Max(a.Retained, b.Retained));
}
