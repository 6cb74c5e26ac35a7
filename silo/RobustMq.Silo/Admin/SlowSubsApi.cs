using System.Text.Json.Serialization;
using RobustMq.Gateway.Ops;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Slow subscriptions (EMQX's <c>slow_subs</c>) under <c>/api/v1</c>, for the whole cluster:
/// <list type="bullet">
/// <item><c>GET /slow_subscriptions?page=&amp;limit=</c>: every answering node's top K merged, slowest first:
/// <c>{"data": [{"clientid", "topic", "timespan" (ms, arrival to acknowledgement), "node", "last_update_time" (ISO
/// 8601)}], "meta", "nodes_not_answering"}</c>.</item>
/// <item><c>DELETE /slow_subscriptions</c>: every node forgets its list: 204; 503 when some node could not be told.</item>
/// <item><c>GET /slow_subscriptions/settings</c>: <c>{"enable", "threshold_ms", "top_k", "expire_interval_s"}</c> (this
/// node's, which every node follows). <c>PUT</c> with any of them (the others stay): stored for the cluster and
/// applied by every node: 200 with the settings; 400 naming what is wrong.</item>
/// </list>
/// </summary>
public static class SlowSubsApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/slow_subscriptions", async (int? page, int? limit, NodeNotices nodes) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "page is 1 or more, limit 1-1000");
            }

            var (lists, failed) = await nodes.AskAllAsync(n => n.SlowSubscriptions());
            var all = lists.SelectMany(l => l).ToList();
            all.Sort(SlowSubsTopK.WorstFirst);
            var data = all.Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit).Select(s => new
            {
                clientid = s.ClientId,
                topic = s.Topic,
                timespan = s.TimespanMs,
                node = s.Node,
                last_update_time = DateTimeOffset.FromUnixTimeMilliseconds(s.LastUpdateUnixMs),
            }).ToList();
            return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count = all.Count }, nodes_not_answering = failed });
        });
        v1.MapDelete("/slow_subscriptions", async (NodeNotices nodes) =>
            await nodes.TellAllAsync(n => n.ClearSlowSubscriptions()) is var failed and > 0
                ? ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"{failed} nodes did not clear their lists")
                : Results.NoContent());
        v1.MapGet("/slow_subscriptions/settings", (SlowSubscriptions slow) => Results.Ok(slow.Settings));
        v1.MapPut("/slow_subscriptions/settings", async (SettingsBody? body, SlowSubscriptions slow, CancellationToken cancellationToken) =>
        {
            if (body is null)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"enable\", \"threshold_ms\", \"top_k\", \"expire_interval_s\"} (any of them)");
            }

            var current = slow.Settings;
            var settings = new SlowSubsSettings(
                body.Enable ?? current.Enable, body.ThresholdMs ?? current.ThresholdMs, body.TopK ?? current.TopK, body.ExpireIntervalSeconds ?? current.ExpireIntervalSeconds);
            if (settings.Problem() is { } problem)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem);
            }

            return await ApiV1.Guard(async () =>
            {
                await slow.PutSettingsAsync(settings, cancellationToken);
                return Results.Ok(settings);
            });
        });
    }

    /// <summary>The body of <c>PUT /api/v1/slow_subscriptions/settings</c>: any of the settings.</summary>
    public sealed record SettingsBody(
        [property: JsonPropertyName("enable")] bool? Enable,
        [property: JsonPropertyName("threshold_ms")] long? ThresholdMs,
        [property: JsonPropertyName("top_k")] int? TopK,
        [property: JsonPropertyName("expire_interval_s")] long? ExpireIntervalSeconds);
}
