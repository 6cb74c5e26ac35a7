using System.Text.Json.Serialization;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The route table, cluster-wide, from its shards (EMQX's <c>/topics</c>, RobustMQ's <c>topic list</c>):
/// <c>GET /api/v1/topics?topic=&amp;node=&amp;page=&amp;limit=</c>, each filter with subscribers and each node that
/// routes it (a shared subscription's filter without its <c>$share/{group}/</c>), by topic then node; <c>topic</c> a
/// substring (any case). 503 <c>SHARDS_NOT_ANSWERING</c> when a topic shard does not answer.
/// </summary>
public static class TopicApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/topics", async (string? topic, string? node, int? page, int? limit, IGrainFactory grains) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            return await AdminLists.Guard(async () =>
            {
                var query = new RouteQuery(RouteListing.Topics, paging.Page * paging.Limit, FilterPart: topic, Node: node);
                var (count, routes) = await ClusterTables.RoutesAsync(grains, query);
                return AdminLists.Answer(AdminLists.Page(routes, paging).Select(r => new TopicItem(r.Filter, r.Node)), paging, count);
            });
        });
    }

    /// <summary>One route in <c>GET /api/v1/topics</c>: a filter and a node its subscribers are on.</summary>
    public sealed record TopicItem(
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("node")] string Node);
}
