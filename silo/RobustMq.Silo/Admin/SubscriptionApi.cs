using System.Text.Json.Serialization;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Protocol.Topics;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Subscriptions, cluster-wide, from the route table's shards (every session's, connected or stored), and SUBSCRIBE /
/// UNSUBSCRIBE on a connected client's behalf:
/// <list type="bullet">
/// <item><c>GET /api/v1/subscriptions?clientid=&amp;topic=&amp;match_topic=&amp;qos=&amp;share_group=&amp;node=&amp;page=&amp;limit=&amp;sort=clientid|topic|qos|node&amp;order=</c>:
/// <c>clientid</c> a substring (any case); <c>topic</c> the filter exactly as subscribed (<c>$share/g/t</c>) or without
/// its <c>$share/g/</c>; <c>match_topic</c> a topic name the filter matches. Items <see cref="SubscriptionItem"/>.</item>
/// <item><c>POST /api/v1/clients/{clientid}/subscribe</c> <c>{"topic", "qos", "nl", "rap", "rh"}</c>: as if the client
/// had sent the SUBSCRIBE (its ACL, limits, session, routes, retained messages; no SUBACK to it): 200 with the
/// subscription; 400 a bad filter or option; 403 <c>SUBSCRIBE_REFUSED</c> naming the reason code (0x87 not authorized,
/// 0x97 quota exceeded, ...); 404 <c>CLIENTID_NOT_FOUND</c> when it is not connected; 503 <c>CLIENT_BUSY</c> when its
/// connection did not take the request within 4 s (nothing was changed), 503 <c>NODES_NOT_ANSWERING</c> when no answering
/// node has it and some did not answer.</item>
/// <item><c>POST /api/v1/clients/{clientid}/unsubscribe</c> <c>{"topic"}</c>: as an UNSUBSCRIBE: 204; 404
/// <c>SUBSCRIPTION_NOT_FOUND</c> (0x11), <c>CLIENTID_NOT_FOUND</c>; 503 as for subscribe.</item>
/// <item><c>GET /api/v1/shared_groups?group=&amp;topic=&amp;page=&amp;limit=</c>: each shared subscription
/// <c>{"group", "topic", "members": [clientid, ...]}</c>, by group and topic.</item>
/// </list>
/// </summary>
public static class SubscriptionApi
{
    private static readonly Dictionary<string, RouteSort> SortKeys = new(StringComparer.Ordinal)
    {
        ["clientid"] = RouteSort.ClientId,
        ["topic"] = RouteSort.Topic,
        ["qos"] = RouteSort.QoS,
        ["node"] = RouteSort.Node,
    };

    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/subscriptions", async (string? clientid, string? topic, string? match_topic, int? qos, string? share_group, string? node, int? page, int? limit, string? sort, string? order, IGrainFactory grains) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            return await AdminLists.Guard(async () =>
            {
                if (AdminLists.SortOf(sort, order, SortKeys) is not { } by)
                {
                    return AdminLists.BadSort(SortKeys.Keys);
                }

                var query = new RouteQuery(RouteListing.Routes, paging.Page * paging.Limit, ClientId: clientid, Topic: topic, MatchTopic: match_topic, QoS: qos,
                    ShareGroup: share_group, Node: node, Sort: by.Key, Descending: by.Descending);
                var (count, routes) = await ClusterTables.RoutesAsync(grains, query);

                // Retain Handling is not in the route table: the page's sessions say it.
                var shown = AdminLists.Page(routes.Select(SubscriptionItem.Of), paging);
                return AdminLists.Answer(await WithRetainHandlingAsync(shown, grains), paging, count);
            });
        });
        v1.MapPost("/clients/{clientid}/subscribe", async (string clientid, SubscribeBody? body, NodeNotices nodes) =>
        {
            if (body?.Topic is not { Length: > 0 } filter
                || !(filter.StartsWith(SharedSubscription.Prefix, StringComparison.Ordinal) ? SharedSubscription.TryParse(filter, out _) : TopicValidator.IsValidTopicFilter(filter)))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"topic\": \"a valid topic filter\", \"qos\": 0-2, \"nl\": 0|1, \"rap\": 0|1, \"rh\": 0-2}");
            }

            if (body.QoS is < 0 or > 2 || body.RetainHandling is < 0 or > 2 || body.NoLocal is < 0 or > 1 || body.RetainAsPublished is < 0 or > 1)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "qos and rh are 0-2, nl and rap 0 or 1");
            }

            if (body.NoLocal == 1 && filter.StartsWith(SharedSubscription.Prefix, StringComparison.Ordinal))
            {
                // MQTT-3.8.3-4: No Local on a shared subscription is a protocol error.
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "nl must be 0 on a shared subscription (MQTT-3.8.3-4)");
            }

            var record = new SubscriptionRecord(filter, (byte)(body.QoS ?? 0), body.NoLocal == 1, body.RetainAsPublished == 1, (byte)(body.RetainHandling ?? 0));
            var (answers, failed) = await nodes.AskAllAsync(n => n.Subscribe(clientid, [record]));
            if (answers.Any(a => a is { Length: 0 }))
            {
                return Busy(clientid);
            }

            if (answers.FirstOrDefault(a => a is not null) is not { } codes)
            {
                return NotConnected(clientid, failed);
            }

            return codes[0] < 0x80
                ? Results.Ok(new SubscriptionItem(clientid, filter, codes[0], body.NoLocal ?? 0, body.RetainAsPublished ?? 0, body.RetainHandling ?? 0, null))
                : ApiV1.Error(StatusCodes.Status403Forbidden, "SUBSCRIBE_REFUSED", $"the subscription was refused with reason code 0x{codes[0]:X2}");
        });
        v1.MapPost("/clients/{clientid}/unsubscribe", async (string clientid, UnsubscribeBody? body, NodeNotices nodes) =>
        {
            if (body?.Topic is not { Length: > 0 } filter)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"topic\": \"the filter as subscribed\"}");
            }

            var (answers, failed) = await nodes.AskAllAsync(n => n.Unsubscribe(clientid, [filter]));
            if (answers.Any(a => a is { Length: 0 }))
            {
                return Busy(clientid);
            }

            if (answers.FirstOrDefault(a => a is not null) is not { } codes)
            {
                return NotConnected(clientid, failed);
            }

            return codes[0] switch
            {
                0x00 => Results.NoContent(),
                0x11 => ApiV1.Error(StatusCodes.Status404NotFound, "SUBSCRIPTION_NOT_FOUND", $"client '{clientid}' has no subscription '{filter}'"),
                var code => ApiV1.Error(StatusCodes.Status403Forbidden, "UNSUBSCRIBE_REFUSED", $"the unsubscribe was refused with reason code 0x{code:X2}"),
            };
        });
        v1.MapGet("/shared_groups", async (string? group, string? topic, int? page, int? limit, IGrainFactory grains) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            return await AdminLists.Guard(async () =>
            {
                var query = new RouteQuery(RouteListing.SharedGroups, paging.Page * paging.Limit, FilterPart: topic, ShareGroup: group);
                var (count, routes) = await ClusterTables.RoutesAsync(grains, query);

                // A shared subscription's member routes come one after another (one shard has them all), by client id.
                var merged = routes.ToList();
                var groups = new List<SharedGroupItem>();
                for (var i = 0; i < merged.Count;)
                {
                    var end = i + 1;
                    while (end < merged.Count && query.SameRow(merged[i], merged[end]))
                    {
                        end++;
                    }

                    groups.Add(new SharedGroupItem(merged[i].ShareGroup!, merged[i].Filter, [.. merged.GetRange(i, end - i).Select(r => r.ClientId).Distinct(StringComparer.Ordinal)]));
                    i = end;
                }

                return AdminLists.Answer(AdminLists.Page(groups, paging), paging, count);
            });
        });
    }

    private static IResult NotConnected(string clientId, int failed) => failed > 0
        ? ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"no answering node has client '{clientId}', and {failed} did not answer")
        : ApiV1.Error(StatusCodes.Status404NotFound, "CLIENTID_NOT_FOUND", $"no client '{clientId}' is connected");

    private static IResult Busy(string clientId) =>
        ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "CLIENT_BUSY", $"the connection of client '{clientId}' did not take the request within 4 s; nothing was changed");

    /// <summary>The items with each one's Retain Handling as its session holds it (0 when the session cannot say).</summary>
    private static async Task<List<SubscriptionItem>> WithRetainHandlingAsync(List<SubscriptionItem> items, IGrainFactory grains)
    {
        var sessions = items.Select(s => s.ClientId).Distinct(StringComparer.Ordinal)
            .ToDictionary(c => c, c => grains.GetGrain<ISessionGrain>(c).GetInfo().WaitAsync(ClusterTables.ShardTimeout), StringComparer.Ordinal);
        try
        {
            await Task.WhenAll(sessions.Values);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Those that answered say theirs.
        }

        return [.. items.Select(s => sessions[s.ClientId] is { IsCompletedSuccessfully: true } info
            && Array.Find(info.Result.Subscriptions, r => r.Filter == s.Topic) is { } record
                ? s with { RetainHandling = record.RetainHandling }
                : s)];
    }

    /// <summary>One subscription in <c>GET /api/v1/subscriptions</c> (EMQX's field names).</summary>
    /// <param name="ClientId">The subscriber.</param>
    /// <param name="Topic">The filter as subscribed, <c>$share/{group}/</c> included.</param>
    /// <param name="QoS">Maximum QoS granted.</param>
    /// <param name="NoLocal">No Local, 0 or 1.</param>
    /// <param name="RetainAsPublished">Retain As Published, 0 or 1.</param>
    /// <param name="RetainHandling">Retain Handling, 0-2.</param>
    /// <param name="Node">The node of the subscriber's connection (or where it was last connected).</param>
    public sealed record SubscriptionItem(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("qos")] int QoS,
        [property: JsonPropertyName("nl")] int NoLocal,
        [property: JsonPropertyName("rap")] int RetainAsPublished,
        [property: JsonPropertyName("rh")] int RetainHandling,
        [property: JsonPropertyName("node")] string? Node)
    {
        public static SubscriptionItem Of(RouteEntry route) =>
            new(route.ClientId, RouteQuery.Subscribed(route), route.QoS, route.NoLocal ? 1 : 0, route.RetainAsPublished ? 1 : 0, 0, route.Node);

        public static SubscriptionItem Of(SubscriptionRecord record, string clientId, string? node) =>
            new(clientId, record.Filter, record.QoS, record.NoLocal ? 1 : 0, record.RetainAsPublished ? 1 : 0, record.RetainHandling, node);
    }

    /// <summary>One shared subscription in <c>GET /api/v1/shared_groups</c>.</summary>
    public sealed record SharedGroupItem(
        [property: JsonPropertyName("group")] string Group,
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("members")] IReadOnlyList<string> Members);

    /// <summary>The body of <c>POST /api/v1/clients/{clientid}/subscribe</c>.</summary>
    public sealed record SubscribeBody(
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("qos")] int? QoS,
        [property: JsonPropertyName("nl")] int? NoLocal,
        [property: JsonPropertyName("rap")] int? RetainAsPublished,
        [property: JsonPropertyName("rh")] int? RetainHandling);

    /// <summary>The body of <c>POST /api/v1/clients/{clientid}/unsubscribe</c>.</summary>
    public sealed record UnsubscribeBody([property: JsonPropertyName("topic")] string? Topic);
}
