using System.CommandLine;
using System.Globalization;

namespace RobustMq.Cli;

/// <summary>
/// <c>robust-ctl engine ...</c>: the storage engine (RobustMQ's <c>engine shard|segment|offset</c>, the API's
/// <c>/api/v1/engine</c>): backends, shards, the Segment backend's files, consumers' committed offsets. Every node is
/// asked about its own stores; <c>--node</c> narrows to one.
/// </summary>
internal static class EngineCommands
{
    public static Command Build() =>
        new("engine", "The storage engine: backends, keyed spaces, shards, segments, consumer offsets (every node's stores)") { Backend(), Space(), Shard(), Segment(), Offset() };

    private static Command Backend()
    {
        var node = Node();
        var list = new Command("list", "Each node's open backends: location, default, topic rules, sync, size on disk, shards") { node };
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/engine/backends" + Query(("node", p.GetValue(node))), null, ct)));
        return new Command("backend", "Storage backends (Storage:Default, Storage:Topics)") { list };
    }

    private static Command Space()
    {
        var node = Node();
        var backend = new Option<string>("--backend") { Description = "only this backend's spaces" };
        backend.AcceptOnlyFromAmong("memory", "rocksdb", "segment", "postgres");
        var list = new Command("list", "Keyed spaces (sessions, queue, retained...) that hold keys: backend, node, keys, value bytes") { node, backend };
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/engine/spaces" + Query(("node", p.GetValue(node)), ("backend", p.GetValue(backend))), null, ct)));
        return new Command("space", "Keyed spaces: the broker's sessions, offline queues, in-flight records, retained messages, users, ACL...") { list };
    }

    private static Command Shard()
    {
        var prefix = new Option<string>("--prefix") { Description = "only shards whose names start with this" };
        var node = Node();
        var list = new Command("list", "Shards by name: backend, node, low and next offset, records, consumers") { prefix, node };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            $"/api/v1/engine/shards?{Ctl.Paging(p)}" + Parameters(("prefix", p.GetValue(prefix)), ("node", p.GetValue(node))), null, ct)));

        var deleteName = ShardName();
        var deleteNode = Node();
        var force = new Option<bool>("--force") { Description = "delete even when a consumer has not read to its end" };
        var delete = new Command("delete", "Delete a shard (records and committed offsets) in every store that holds it; refused while a consumer has not read to its end") { deleteName, deleteNode, force };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete,
            "/api/v1/engine/shards/" + Uri.EscapeDataString(p.GetValue(deleteName)!) + Query(("node", p.GetValue(deleteNode)), ("force", p.GetValue(force) ? "true" : null)), null, ct), "deleted"));
        return new Command("shard", "Shards: append-only logs with offsets (no create: a shard exists from its first append or commit)") { list, delete };
    }

    private static Command Segment()
    {
        var name = ShardName();
        var node = Node();
        var list = new Command("list", "The segment files holding a shard's records (Segment backend only)") { name, node };
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/engine/segments" + Query(("shard", p.GetValue(name)), ("node", p.GetValue(node))), null, ct)));
        return new Command("segment", "Segment files of the Segment backend") { list };
    }

    private static Command Offset()
    {
        var groupName = ShardName();
        var groupConsumer = new Option<string>("--consumer", "--group-name") { Description = "only this consumer" };
        var groupNode = Node();
        var byGroup = new Command("by-group", "The consumers' committed offsets of a shard, with its low, next and their lag") { groupName, groupConsumer, groupNode };
        byGroup.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            "/api/v1/engine/offsets/by-group" + Query(("shard", p.GetValue(groupName)), ("consumer", p.GetValue(groupConsumer)), ("node", p.GetValue(groupNode))), null, ct)));

        var timeName = ShardName();
        var timestamp = new Option<string>("--timestamp") { Description = "Unix milliseconds or ISO 8601 (2026-12-02T10:00:00Z)", Required = true };
        var timeNode = Node();
        var byTimestamp = new Command("by-timestamp", "The first offset of a shard appended at or after a time") { timeName, timestamp, timeNode };
        byTimestamp.Validators.Add(result =>
        {
            var text = result.GetValue(timestamp);
            if (text is not null && !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                result.AddError($"--timestamp '{text}' is neither Unix milliseconds nor ISO 8601");
            }
        });
        byTimestamp.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            "/api/v1/engine/offsets/by-timestamp" + Query(("shard", p.GetValue(timeName)), ("timestamp", p.GetValue(timestamp)), ("node", p.GetValue(timeNode))), null, ct)));

        var commitName = ShardName();
        var commitConsumer = new Option<string>("--consumer", "--group-name") { Description = "the consumer whose offset to set", Required = true };
        var offset = new Option<long>("--offset") { Description = "the next offset it wants: from the shard's low to its next", Required = true };
        var commitNode = Node();
        var commit = new Command("commit", "Set a consumer's committed offset of a shard") { commitName, commitConsumer, offset, commitNode };
        commit.Validators.Add(result =>
        {
            if (result.GetValue(offset) < 0)
            {
                result.AddError("--offset is 0 or more");
            }
        });
        commit.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Post, "/api/v1/engine/offsets/commit", new Dictionary<string, object?>
        {
            ["shard"] = p.GetValue(commitName),
            ["consumer"] = p.GetValue(commitConsumer),
            ["offset"] = p.GetValue(offset),
            ["node"] = p.GetValue(commitNode),
        }, ct)));
        return new Command("offset", "Consumers' committed offsets") { byGroup, byTimestamp, commit };
    }

    private static Option<string> ShardName() => new("--shard-name") { Description = "the shard's name", Required = true };

    private static Option<string> Node() => new("--node") { Description = "only this node's stores (a name from 'cluster status')" };

    /// <summary><c>?a=1&amp;b=2</c> of the parameters that are set (escaped); empty when none is.</summary>
    private static string Query(params (string Name, string? Value)[] parameters) => Parameters(parameters) is { Length: > 0 } set ? "?" + set[1..] : "";

    /// <summary><c>&amp;a=1&amp;b=2</c> of the parameters that are set (escaped), to follow a query.</summary>
    private static string Parameters(params (string Name, string? Value)[] parameters) =>
        string.Concat(parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => "&" + p.Name + "=" + Uri.EscapeDataString(p.Value!)));
}
