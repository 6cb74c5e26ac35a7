using RobustMq.Gateway.Ops;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Alarms (EMQX's alarms, RobustMQ's <c>system-alarm</c>) under <c>/api/v1</c>, every answering node's:
/// <list type="bullet">
/// <item><c>GET /alarms?activated=true|false&amp;page=&amp;limit=</c> (both when left out): <c>{"data": [{"name",
/// "message", "details", "activated_at", "deactivated_at", "activated", "node"}], "meta", "nodes_not_answering"}</c>,
/// newest first; times ISO 8601, <c>deactivated_at</c> null while activated. Names: <c>high_system_memory_usage</c>,
/// <c>high_cpu_usage</c>, <c>storage_errors</c>, <c>queue_limit_hit</c> (see <see cref="AlarmMonitor"/>).</item>
/// <item><c>DELETE /alarms</c>: every node forgets its deactivated alarms: 204; 503 when some node could not be told.</item>
/// </list>
/// </summary>
public static class AlarmApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/alarms", async (bool? activated, int? page, int? limit, NodeNotices nodes) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "page is 1 or more, limit 1-1000");
            }

            var (lists, failed) = await nodes.AskAllAsync(n => n.Alarms(activated));
            var all = lists.SelectMany(l => l)
                .OrderByDescending(a => a.Activated).ThenByDescending(a => a.DeactivatedAtUnixMs ?? a.ActivatedAtUnixMs)
                .ThenBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Node, StringComparer.Ordinal).ToList();
            var data = all.Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit).Select(AlarmMonitor.View).ToList();
            return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count = all.Count }, nodes_not_answering = failed });
        });
        v1.MapDelete("/alarms", async (NodeNotices nodes) =>
            await nodes.TellAllAsync(n => n.ClearAlarms()) is var failed and > 0
                ? ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"{failed} nodes did not clear their alarms")
                : Results.NoContent());
    }
}
