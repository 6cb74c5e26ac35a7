namespace RobustMq.Abstractions.Routing;

/// <summary>
/// A topic shard's answer to a <see cref="RouteQuery"/>: how many rows of the listing it matches, and the routes of its
/// first <see cref="RouteQuery.Take"/> rows in the listing's order (<see cref="RouteQuery.Order"/>).
/// </summary>
/// <param name="Matched">The rows the shard matches (routes, filter-node pairs or shared subscriptions, as <see cref="RouteQuery.Listing"/> says).</param>
/// <param name="Routes">The first rows' routes, sorted; a shared subscription's member routes one after another.</param>
[GenerateSerializer, Immutable, Alias("robustmq.routepage.v1")]
public sealed record RoutePage([property: Id(0)] int Matched, [property: Id(1)] RouteEntry[] Routes);
