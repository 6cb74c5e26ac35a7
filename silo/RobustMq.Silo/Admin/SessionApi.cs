using System.Text.Json.Serialization;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Sessions, cluster-wide (EMQX's <c>/sessions</c>, RobustMQ's <c>session list</c>), from the session-directory shards:
/// connected clients (clean or persistent) and persistent sessions that are only stored, their client gone.
/// <list type="bullet">
/// <item><c>GET /api/v1/sessions?clientid=&amp;connected=true|false&amp;page=&amp;limit=&amp;sort=clientid|node|connected&amp;order=asc|desc</c>:
/// <c>clientid</c> a substring (any case). Items <see cref="SessionItem"/>. Filtered, sorted and cut at the directory
/// shards; <c>connected</c> and <c>sort=connected</c> ask each candidate's node, at most <see cref="ApiV1.MaxDepth"/>
/// candidates (more: 400 <c>LISTING_TOO_LARGE</c>).</item>
/// <item><c>GET /api/v1/sessions/{clientid}</c>: the item's fields, <c>username</c>, <c>proto_ver</c> and <c>subscriptions</c>
/// (items as <c>/subscriptions</c>'); 404 <c>SESSION_NOT_FOUND</c>.</item>
/// <item><c>DELETE /api/v1/sessions/{clientid}</c>: ends the session (its stored state, queue and routes); a connected
/// client is disconnected with 0x98 Administrative action first. 204, 404.</item>
/// </list>
/// A client id with '/' is sent with %2F. 503 <c>SHARDS_NOT_ANSWERING</c> when a directory shard does not answer.
/// </summary>
public static class SessionApi
{
    private static readonly Dictionary<string, Func<Row, IComparable?>> SortKeys = new(StringComparer.Ordinal)
    {
        ["clientid"] = r => r.Entry.ClientId,
        ["node"] = r => r.Entry.Node,
        ["connected"] = r => r.Stats is not null,
    };

    /// <summary>The sorts a directory shard applies itself; <c>connected</c> only the nodes can tell.</summary>
    private static readonly Dictionary<string, SessionSort> ShardSorts = new(StringComparer.Ordinal)
    {
        ["clientid"] = SessionSort.ClientId,
        ["node"] = SessionSort.Node,
    };

    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/sessions", async (string? clientid, bool? connected, int? page, int? limit, string? sort, string? order, IGrainFactory grains, NodeNotices nodes) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            if (AdminLists.SortOf(sort, order, SortKeys) is not { } by)
            {
                return AdminLists.BadSort(SortKeys.Keys);
            }

            return await AdminLists.Guard(async () =>
            {
                if (connected is null && ShardSorts.TryGetValue(sort is { Length: > 0 } ? sort : "clientid", out var shardSort))
                {
                    // Filtered, sorted and cut at the directory shards: only the page's nodes are asked.
                    var (count, entries) = await ClusterTables.SessionsAsync(grains, new SessionQuery(paging.Page * paging.Limit, clientid, false, shardSort, by.Descending));
                    var page = AdminLists.Page(entries, paging);
                    var (pageStats, pageFailed) = await StatsAsync(nodes, [.. page.Where(e => e.Node is not null).Select(e => e.ClientId)]);
                    return await AnswerAsync(grains, [.. page.Select(e => new Row(e, pageStats.GetValueOrDefault(e.ClientId)))], paging, count, pageFailed);
                }

                // Whether a session is connected only its node can tell (the directory keeps the last connection of a
                // persistent session after it ended): every candidate's node is asked, so the candidates are bounded.
                var candidates = new SessionQuery(0, clientid, HeldByConnection: connected == true);
                var (matching, _) = await ClusterTables.SessionsAsync(grains, candidates);
                if (matching > ApiV1.MaxDepth)
                {
                    return ApiV1.Error(StatusCodes.Status400BadRequest, "LISTING_TOO_LARGE",
                        $"connected and sort=connected ask the node of each session that clientid matches, at most {ApiV1.MaxDepth} ({matching} match): narrow the listing with clientid");
                }

                var (_, all) = await ClusterTables.SessionsAsync(grains, candidates with { Take = ApiV1.MaxDepth });
                var found = all.ToList();

                // The directory keeps the last connection of a persistent session after it ended: its node says whether
                // it is still connected. A clean session's entry goes with its connection.
                var (stats, failed) = await StatsAsync(nodes, [.. found.Where(e => e.Node is not null).Select(e => e.ClientId)]);
                var rows = found.Select(e => new Row(e, stats.GetValueOrDefault(e.ClientId)))
                    .Where(r => connected is null || connected == (r.Stats is not null));
                var sorted = AdminLists.Sorted(rows, sort, order, SortKeys)!;
                return await AnswerAsync(grains, AdminLists.Page(sorted, paging), paging, sorted.Count, failed);
            });
        });
        v1.MapGet("/sessions/{**clientid}", async (string clientid, IGrainFactory grains, NodeNotices nodes) =>
        {
            return await AdminLists.Guard(async () =>
            {
                if (await SessionDirectory.For(grains, clientid).Lookup(clientid).WaitAsync(ClusterTables.ShardTimeout) is not { } claim)
                {
                    return NotFound(clientid);
                }

                var entry = new SessionDirectoryEntry(clientid, claim.Previous?.Node, claim.Backed);
                var info = await InfoAsync(grains, clientid);
                var (stats, failed) = await StatsAsync(nodes, claim.Previous is null ? [] : [clientid]);
                var item = Item(new Row(entry, stats.GetValueOrDefault(clientid)), info);
                return Results.Ok(new
                {
                    clientid = item.ClientId,
                    connected = item.Connected,
                    node = item.Node,
                    created_at = item.CreatedAt,
                    expiry_interval = item.ExpiryInterval,
                    subscriptions_cnt = item.SubscriptionsCount,
                    mqueue_len = item.QueueLength,
                    inflight_cnt = item.InflightCount,
                    persistent = item.Persistent,
                    username = info?.UserName,
                    proto_ver = info?.ProtocolVersion,
                    subscriptions = (info?.Subscriptions ?? []).Select(s => SubscriptionApi.SubscriptionItem.Of(s, clientid, item.Node)).ToList(),
                    nodes_not_answering = failed,
                });
            });
        });
        v1.MapDelete("/sessions/{**clientid}", async (string clientid, IGrainFactory grains) =>
        {
            return await AdminLists.Guard(async () =>
                await grains.GetGrain<ISessionGrain>(clientid).Discard().WaitAsync(TimeSpan.FromSeconds(10)) ? Results.NoContent() : NotFound(clientid));
        });
    }

    /// <summary>The list's answer: the page's rows with what each one's session grain says.</summary>
    private static async Task<IResult> AnswerAsync(IGrainFactory grains, List<Row> shown, (int Page, int Limit) paging, long count, int failed)
    {
        var infos = await Task.WhenAll(shown.Select(r => InfoAsync(grains, r.Entry.ClientId)));
        return AdminLists.Answer(shown.Select((r, i) => Item(r, infos[i])), paging, count, failed);
    }

    private static IResult NotFound(string clientId) =>
        ApiV1.Error(StatusCodes.Status404NotFound, "SESSION_NOT_FOUND", $"no session of client '{clientId}'");

    /// <summary>Which of <paramref name="clientIds"/> are connected, and where (every node asked once); how many nodes did not answer.</summary>
    private static async Task<(Dictionary<string, SessionStats> Stats, int Failed)> StatsAsync(NodeNotices nodes, string[] clientIds)
    {
        if (clientIds.Length == 0)
        {
            return (new Dictionary<string, SessionStats>(StringComparer.Ordinal), 0);
        }

        var (answers, failed) = await nodes.AskAllAsync(n => n.Sessions(clientIds));
        var stats = new Dictionary<string, SessionStats>(StringComparer.Ordinal);
        foreach (var s in answers.SelectMany(a => a))
        {
            stats.TryAdd(s.ClientId, s);
        }

        return (stats, failed);
    }

    /// <summary>The session grain's view (a clean session's is its connection's); null when it could not be read.</summary>
    private static async Task<SessionInfo?> InfoAsync(IGrainFactory grains, string clientId)
    {
        try
        {
            var info = await grains.GetGrain<ISessionGrain>(clientId).GetInfo().WaitAsync(ClusterTables.ShardTimeout);
            return info.Exists ? info : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Listed from the directory alone.
            return null;
        }
    }

    private static SessionItem Item(Row row, SessionInfo? info) => new(
        row.Entry.ClientId,
        row.Stats is not null,
        row.Stats?.Node ?? row.Entry.Node ?? info?.Node,
        row.Stats?.ConnectedAt,
        row.Stats?.ExpirySeconds ?? info?.SessionExpirySeconds ?? 0,
        row.Stats?.Subscriptions ?? info?.Subscriptions.Length ?? 0,
        info?.QueuedMessages ?? 0,
        row.Stats?.Inflight ?? 0,
        row.Entry.Persistent);

    /// <summary>A directory entry and, when its client is connected, what its node says of it.</summary>
    private sealed record Row(SessionDirectoryEntry Entry, SessionStats? Stats);

    /// <summary>One session in <c>GET /api/v1/sessions</c> (EMQX's field names).</summary>
    /// <param name="ClientId">The client id.</param>
    /// <param name="Connected">Whether a connection serves it now.</param>
    /// <param name="Node">The node of its connection, or where it was last connected.</param>
    /// <param name="CreatedAt">When its connection connected (null while disconnected).</param>
    /// <param name="ExpiryInterval">Session Expiry Interval, seconds (4294967295: never; 0: ends with its connection).</param>
    /// <param name="SubscriptionsCount">Its subscriptions.</param>
    /// <param name="QueueLength">Messages queued for it while disconnected (or not yet handed to its connection).</param>
    /// <param name="InflightCount">QoS 1 and 2 deliveries sent to its connection and not yet acknowledged.</param>
    /// <param name="Persistent">Whether the session outlives its connection (stored).</param>
    public sealed record SessionItem(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("connected")] bool Connected,
        [property: JsonPropertyName("node")] string? Node,
        [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
        [property: JsonPropertyName("expiry_interval")] uint ExpiryInterval,
        [property: JsonPropertyName("subscriptions_cnt")] int SubscriptionsCount,
        [property: JsonPropertyName("mqueue_len")] int QueueLength,
        [property: JsonPropertyName("inflight_cnt")] int InflightCount,
        [property: JsonPropertyName("persistent")] bool Persistent);
}
