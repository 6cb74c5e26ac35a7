namespace RobustMq.Abstractions.Routing;

/// <summary>What a row of a <see cref="RouteQuery"/> is.</summary>
public enum RouteListing : byte
{
    /// <summary>A route: one subscription of one client (<c>GET /api/v1/subscriptions</c>).</summary>
    Routes = 0,

    /// <summary>A filter and a node its subscribers are on, however many (<c>GET /api/v1/topics</c>): one route stands for it.</summary>
    Topics = 1,

    /// <summary>A shared subscription, group and filter (<c>GET /api/v1/shared_groups</c>): answered with every member's route.</summary>
    SharedGroups = 2,
}
