using System.Globalization;
using System.Text.Json.Serialization;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Nodes.Storage;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The storage engine (RobustMQ's <c>/api/storage-engine</c>, <c>robust-ctl engine</c>) under <c>/api/v1/engine</c>, for
/// the whole cluster: every node is asked about its own backends (Memory, RocksDb, Segment: each node has its own
/// store, so a shard name can be on several nodes; items carry <c>node</c>) and the node serving the request about the
/// shared PostgreSQL store (<c>node</c> null), or only node <c>node=</c> when given. Answers carry
/// <c>nodes_not_answering</c>. Shards come into being with their first append or commit, so there is no "shard create".
/// <list type="bullet">
/// <item><c>GET /engine/backends</c>: <c>{"data": [{"node", "backend", "location", "default", "topic_filters", "sync", "size_bytes", "shards"}]}</c>.</item>
/// <item><c>GET /engine/shards?prefix=&amp;node=&amp;page=&amp;limit=</c>: shards by name: <c>{"shard", "backend", "node", "low", "next", "records", "consumers": [{"consumer", "offset", "lag"}]}</c>.</item>
/// <item><c>GET /engine/spaces?node=&amp;backend=</c>: the keyed spaces (sessions, queue, retained...; each node's own
/// stores, the shared one once) that hold keys: <c>{"node", "backend", "space", "keys", "value_bytes", "keys_at_least"}</c>
/// by space, backend, node; <c>keys_at_least</c>: the backend counts by scanning (RocksDB, PostgreSQL) and stopped at
/// 1,000,000 keys, so <c>keys</c> and <c>value_bytes</c> are lower bounds. 400 for a <c>backend</c> that is not
/// <c>memory</c>, <c>rocksdb</c>, <c>segment</c> or <c>postgres</c>.</item>
/// <item><c>GET /engine/shards/{name}</c>: the shard in every store that holds it; 404 <c>SHARD_NOT_FOUND</c>.</item>
/// <item><c>DELETE /engine/shards/{name}?node=&amp;force=</c>: 204; 404; 409 <c>SHARD_IN_USE</c> when a consumer has not
/// read to its end (nothing is deleted where that holds; <c>force=true</c> deletes anyway).</item>
/// <item><c>GET /engine/segments?shard=&amp;node=</c>: the Segment backend's files holding the shard: <c>{"node", "backend",
/// "file", "base_offset", "last_offset", "records", "bytes", "first_timestamp", "last_timestamp", "file_bytes", "active"}</c>;
/// 404; 400 <c>NO_SEGMENTS</c> when no store holding it keeps segment files.</item>
/// <item><c>GET /engine/offsets/by-group?shard=&amp;consumer=&amp;node=</c>: committed offsets: <c>{"node", "backend", "shard",
/// "consumer", "offset", "low", "next", "lag"}</c>; 404.</item>
/// <item><c>GET /engine/offsets/by-timestamp?shard=&amp;timestamp=&amp;node=</c> (Unix ms or ISO 8601): the first offset
/// appended at or after it (<c>offset</c> null: none): <c>{"node", "backend", "shard", "offset", "low", "next"}</c>; 404.</item>
/// <item><c>POST /engine/offsets/commit</c> <c>{"shard", "consumer", "offset", "node"}</c>: sets the consumer's
/// committed offset in every store that holds the shard: 200 the by-group items; 400 <c>OFFSET_OUT_OF_RANGE</c> when
/// the offset is outside a store's low .. next (that store is left as it was); 404.</item>
/// </list>
/// </summary>
public static class EngineApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/engine/backends", async (string? node, NodeNotices nodes, NodeIdentity self) =>
        {
            var (answers, failed) = await nodes.AskAllAsync(n => n.EngineBackends(new EngineScope(node, self.Name)));
            var data = answers.SelectMany(a => a).OrderBy(b => b.Node, StringComparer.Ordinal).ThenBy(b => b.Backend, StringComparer.Ordinal).Select(b => new
            {
                node = b.Node,
                backend = b.Backend,
                location = b.Location,
                @default = b.IsDefault,
                topic_filters = b.TopicFilters,
                sync = b.Sync,
                size_bytes = b.SizeBytes,
                shards = b.Shards,
            });
            return Results.Ok(new { data, nodes_not_answering = failed });
        });
        v1.MapGet("/engine/shards", async (string? prefix, string? node, int? page, int? limit, NodeNotices nodes, NodeIdentity self) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit, "prefix and node");
            }

            var take = paging.Page * paging.Limit;
            var (answers, failed) = await nodes.AskAllAsync(n => n.EngineShards(new EngineScope(node, self.Name), prefix ?? "", take));
            var data = answers.SelectMany(a => a.Shards).OrderBy(s => s.Name, KeyOrder.Utf8).ThenBy(s => s.Backend, StringComparer.Ordinal).ThenBy(s => s.Node, StringComparer.Ordinal)
                .Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit).Select(ShardView).ToList();
            var count = answers.Sum(a => (long)a.Count);
            return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count, hasnext = AdminLists.HasNext(paging, count) }, nodes_not_answering = failed });
        });
        v1.MapGet("/engine/spaces", async (string? node, string? backend, NodeNotices nodes, NodeIdentity self) =>
        {
            if (backend is not (null or "memory" or "rocksdb" or "segment" or "postgres"))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"backend must be memory, rocksdb, segment or postgres (got '{backend}')");
            }

            var (answers, failed) = await nodes.AskAllAsync(n => n.EngineSpaces(new EngineScope(node, self.Name), backend));
            var data = answers.SelectMany(a => a).OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Backend, StringComparer.Ordinal).ThenBy(s => s.Node, StringComparer.Ordinal).Select(s => new
            {
                node = s.Node,
                backend = s.Backend,
                space = s.Name,
                keys = s.Keys,
                value_bytes = s.ValueBytes,
                keys_at_least = s.KeysAtLeast,
            });
            return Results.Ok(new { data, nodes_not_answering = failed });
        });
        v1.MapGet("/engine/shards/{**name}", async (string name, string? node, NodeNotices nodes, NodeIdentity self) =>
        {
            return await Asked(name, nodes, n => n.EngineShard(new EngineScope(node, self.Name), name), shards => Results.Ok(new { data = shards.Select(ShardView) }));
        });
        v1.MapDelete("/engine/shards/{**name}", async (string name, string? node, bool? force, NodeNotices nodes, NodeIdentity self) =>
        {
            return await Asked(name, nodes, n => n.EngineDeleteShard(new EngineScope(node, self.Name), name, force ?? false), changes =>
                changes.Where(c => c.Outcome == EngineChangeOutcome.InUse).ToList() is { Count: > 0 } inUse
                    ? ApiV1.Error(StatusCodes.Status409Conflict, "SHARD_IN_USE", $"shard '{name}' has consumers that have not read to its end ({Where(inUse)}: "
                        + string.Join(", ", inUse.SelectMany(c => c.Consumers.Where(k => k.Offset < c.Next).Select(k => $"{k.Consumer} at {k.Offset} of {c.Next}")).Distinct())
                        + "); it is left there" + (inUse.Count < changes.Length ? " (deleted where it was not in use)" : "") + ": force=true deletes it anyway")
                    : Results.NoContent(), change: true);
        });
        v1.MapGet("/engine/segments", async (string? shard, string? node, NodeNotices nodes, NodeIdentity self) =>
        {
            if (BadShard(shard) is { } bad)
            {
                return bad;
            }

            return await Asked(shard!, nodes, n => n.EngineSegments(new EngineScope(node, self.Name), shard!), found =>
            {
                if (found.All(f => f.Segments is null))
                {
                    return ApiV1.Error(StatusCodes.Status400BadRequest, "NO_SEGMENTS", $"shard '{shard}' is kept by {string.Join(", ", found.Select(f => f.Backend).Distinct())}, which keeps no segment files (only the segment backend does)");
                }

                return Results.Ok(new
                {
                    data = found.Where(f => f.Segments is not null).SelectMany(f => f.Segments!.Select(s => new
                    {
                        node = f.Node,
                        backend = f.Backend,
                        file = s.FileName,
                        base_offset = s.BaseOffset,
                        last_offset = s.LastOffset,
                        records = s.Records,
                        bytes = s.Bytes,
                        first_timestamp = s.FirstTimestampMs,
                        last_timestamp = s.LastTimestampMs,
                        file_bytes = s.FileBytes,
                        active = s.Active,
                    })),
                });
            });
        });
        v1.MapGet("/engine/offsets/by-group", async (string? shard, string? consumer, string? node, NodeNotices nodes, NodeIdentity self) =>
        {
            if (BadShard(shard) is { } bad)
            {
                return bad;
            }

            return await Asked(shard!, nodes, n => n.EngineShard(new EngineScope(node, self.Name), shard!), found =>
                Results.Ok(new { data = GroupView(found.Select(s => (s.Node, s.Backend, s.Name, s.Low, s.Next, s.Consumers)), consumer) }));
        });
        v1.MapGet("/engine/offsets/by-timestamp", async (string? shard, string? timestamp, string? node, NodeNotices nodes, NodeIdentity self) =>
        {
            if (BadShard(shard) is { } bad)
            {
                return bad;
            }

            if (ParseTime(timestamp) is not { } time)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"timestamp must be Unix milliseconds or ISO 8601 (got '{timestamp}')");
            }

            return await Asked(shard!, nodes, n => n.EngineOffsetByTimestamp(new EngineScope(node, self.Name), shard!, time), found => Results.Ok(new
            {
                data = found.Select(o => new { node = o.Node, backend = o.Backend, shard, offset = o.Offset, low = o.Low, next = o.Next }),
            }));
        });
        v1.MapPost("/engine/offsets/commit", async (CommitBody? body, NodeNotices nodes, NodeIdentity self) =>
        {
            if (BadShard(body?.Shard) is { } bad)
            {
                return bad;
            }

            if (body!.Consumer is not { Length: > 0 } consumer || consumer.Contains('\0', StringComparison.Ordinal) || body.Offset is not { } offset || offset < 0)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"shard\", \"consumer\" (not empty), \"offset\" (0 or more), \"node\" (optional)}");
            }

            var shard = body.Shard!;
            return await Asked(shard, nodes, n => n.EngineCommit(new EngineScope(body.Node, self.Name), shard, consumer, offset), changes =>
                changes.Where(c => c.Outcome == EngineChangeOutcome.OutOfRange).ToList() is { Count: > 0 } refused
                    ? ApiV1.Error(StatusCodes.Status400BadRequest, "OFFSET_OUT_OF_RANGE", $"offset {offset} is outside shard '{shard}' ("
                        + string.Join(", ", refused.Select(c => $"{c.Low}..{c.Next} {Where([c])}")) + ")" + (refused.Count < changes.Length ? "; committed where it is inside" : ""))
                    : Results.Ok(new { data = GroupView(changes.Select(c => (c.Node, c.Backend, shard, c.Low, c.Next, c.Consumers)), consumer) }), change: true);
        });
    }

    /// <summary>
    /// Asks every node in scope about shard <paramref name="name"/>: 404 when none holds it (503 when some did not
    /// answer), else <paramref name="answer"/> over what they said; a <paramref name="change"/> that some node did not
    /// answer is 503.
    /// </summary>
    private static async Task<IResult> Asked<T>(string name, NodeNotices nodes, Func<RobustMq.Gateway.Nodes.INodeControlGrain, Task<T[]>> ask, Func<T[], IResult> answer, bool change = false)
    {
        if (!StorageNames.IsShard(name))
        {
            return BadShard(name)!;
        }

        var (answers, failed) = await nodes.AskAllAsync(ask);
        var found = answers.SelectMany(a => a).ToArray();
        if (found.Length > 0 && change && failed > 0)
        {
            // Done where it was held and answered; a node that did not answer may hold it too, unchanged.
            return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"shard '{name}' was changed on the nodes that answered; {failed} did not answer (try again)");
        }

        if (found.Length > 0)
        {
            return answer(found);
        }

        return failed > 0
            ? ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"no answering node holds shard '{name}', and {failed} did not answer")
            : ApiV1.Error(StatusCodes.Status404NotFound, "SHARD_NOT_FOUND", $"no store holds shard '{name}'");
    }

    /// <summary>400 for a missing or invalid shard name (<see cref="StorageNames"/>), else null.</summary>
    private static IResult? BadShard(string? shard) => shard is not null && StorageNames.IsShard(shard)
        ? null
        : ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"shard must be 1-200 characters of [A-Za-z0-9._/-], not starting with '.' or '/', without '..' (got '{shard}')");

    /// <summary>Unix milliseconds, or an ISO 8601 time (UTC when it has no offset).</summary>
    internal static long? ParseTime(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUnixTimeMilliseconds()
        : null;

    private static string Where(IEnumerable<EngineChange> changes) => string.Join(", ", changes.Select(c => c.Node is null ? c.Backend : $"{c.Backend} on {c.Node}"));

    private static object ShardView(EngineShard s) => new
    {
        shard = s.Name,
        backend = s.Backend,
        node = s.Node,
        low = s.Low,
        next = s.Next,
        records = s.Next - s.Low,
        consumers = s.Consumers.Select(c => new { consumer = c.Consumer, offset = c.Offset, lag = Math.Max(0, s.Next - c.Offset) }),
    };

    private static IEnumerable<object> GroupView(IEnumerable<(string? Node, string Backend, string Shard, long Low, long Next, EngineConsumer[] Consumers)> shards, string? consumer) =>
        shards.SelectMany(s => s.Consumers.Where(c => consumer is null || c.Consumer == consumer).Select(c => (object)new
        {
            node = s.Node,
            backend = s.Backend,
            shard = s.Shard,
            consumer = c.Consumer,
            offset = c.Offset,
            low = s.Low,
            next = s.Next,
            lag = Math.Max(0, s.Next - c.Offset),
        }));

    /// <summary>The body of <c>POST /api/v1/engine/offsets/commit</c>.</summary>
    public sealed record CommitBody(
        [property: JsonPropertyName("shard")] string? Shard,
        [property: JsonPropertyName("consumer")] string? Consumer,
        [property: JsonPropertyName("offset")] long? Offset,
        [property: JsonPropertyName("node")] string? Node);
}
