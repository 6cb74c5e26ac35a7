namespace RobustMq.Abstractions.Routing;

/// <summary>The sort key of a <see cref="RouteListing.Routes"/> listing (the <c>sort</c> of <c>GET /api/v1/subscriptions</c>).</summary>
public enum RouteSort : byte
{
    /// <summary>The subscriber's client id.</summary>
    ClientId = 0,

    /// <summary>The filter as subscribed, <c>$share/{group}/</c> included (<see cref="RouteQuery.Subscribed"/>).</summary>
    Topic = 1,

    /// <summary>The maximum QoS granted.</summary>
    QoS = 2,

    /// <summary>The node of the subscriber's session.</summary>
    Node = 3,
}
