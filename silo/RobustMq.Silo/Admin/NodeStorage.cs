using Microsoft.Extensions.Options;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Nodes.Storage;
using RobustMq.Grains.Storage;
using RobustMq.Storage;
using RobustMq.Storage.Segment;

namespace RobustMq.Silo.Admin;

/// <summary>
/// This node's storage engines for the admin API (<see cref="INodeStorage"/>, <c>/api/v1/engine</c>): the backends
/// <see cref="StorageEngines"/> opened, read and changed through <see cref="IStorageEngine"/> like the grains do.
/// PostgreSQL is one database for every node, so it answers only where the scope says (<see cref="EngineScope"/>).
/// </summary>
internal sealed class NodeStorage(StorageEngines storage, IOptions<StorageOptions> options, NodeIdentity node) : INodeStorage
{
    public async Task<EngineBackend[]> BackendsAsync(EngineScope scope)
    {
        var found = new List<EngineBackend>();
        foreach (var b in InScope(scope))
        {
            long shards = 0;
            await foreach (var _ in b.Engine.ListShardsAsync())
            {
                shards++;
            }

            var location = storage.LocationOf(b.Backend);
            var filters = options.Value.Topics.Where(r => r.Backend == b.Backend).Select(r => r.Filter).ToArray();
            var size = b.Backend is StorageBackend.RocksDb or StorageBackend.Segment && location is not null ? DirectorySize(location) : null;
            found.Add(new EngineBackend(b.Node, Name(b.Backend), location, b.Backend == options.Value.Default, filters, b.Engine.Sync.ToString(), size, shards));
        }

        return [.. found];
    }

    public async Task<EngineShardPage> ShardsAsync(EngineScope scope, string prefix, int take)
    {
        var names = new List<(string Name, int Backend)>();
        var backends = InScope(scope);
        for (var i = 0; i < backends.Count; i++)
        {
            await foreach (var name in backends[i].Engine.ListShardsAsync(prefix))
            {
                names.Add((name, i));
            }
        }

        names.Sort((a, b) => a.Name == b.Name ? a.Backend.CompareTo(b.Backend) : KeyOrder.Utf8.Compare(a.Name, b.Name));
        var shards = new List<EngineShard>();
        foreach (var (name, i) in names.Take(take))
        {
            shards.Add(await ShardOf(backends[i], name));
        }

        return new EngineShardPage(names.Count, [.. shards]);
    }

    public async Task<EngineSpace[]> SpacesAsync(EngineScope scope, string? backend)
    {
        var found = new List<EngineSpace>();
        foreach (var b in InScope(scope).Where(b => backend is null || Name(b.Backend) == backend))
        {
            foreach (var space in await b.Engine.ListSpacesAsync())
            {
                found.Add(new EngineSpace(b.Node, Name(b.Backend), space.Space, space.Keys, space.ValueBytes, space.KeysAtLeast));
            }
        }

        return [.. found];
    }

    public async Task<EngineShard[]> ShardAsync(EngineScope scope, string name) =>
        [.. (await Holding(scope, name)).Select(h => h.Shard)];

    public async Task<EngineSegments[]> SegmentsAsync(EngineScope scope, string name) =>
        [.. (await Holding(scope, name)).Select(h => new EngineSegments(h.Backend.Node, Name(h.Backend.Backend), h.Backend.Opened is SegmentStorageEngine segments
            ? [.. segments.ListSegments(name).Select(s => new EngineSegment(s.FileName, s.BaseOffset, s.LastOffset, s.Records, s.Bytes, s.FirstTimestampUnixMs, s.LastTimestampUnixMs, s.FileBytes, s.Active))]
            : null))];

    public async Task<EngineOffset[]> OffsetByTimestampAsync(EngineScope scope, string name, long timestampMs)
    {
        var found = new List<EngineOffset>();
        foreach (var (b, shard) in await Holding(scope, name))
        {
            var offset = await ShardSeek.FirstAtOrAfterAsync(b.Engine, name, timestampMs);
            found.Add(new EngineOffset(b.Node, Name(b.Backend), shard.Low, shard.Next, offset));
        }

        return [.. found];
    }

    public async Task<EngineChange[]> CommitAsync(EngineScope scope, string name, string consumer, long offset)
    {
        var changes = new List<EngineChange>();
        foreach (var (b, shard) in await Holding(scope, name))
        {
            if (offset < shard.Low || offset > shard.Next)
            {
                changes.Add(Change(b, EngineChangeOutcome.OutOfRange, shard));
                continue;
            }

            await b.Engine.WriteAsync(new StorageBatch().Commit(name, consumer, offset));
            changes.Add(Change(b, EngineChangeOutcome.Done, await ShardOf(b, name)));
        }

        return [.. changes];
    }

    public async Task<EngineChange[]> DeleteShardAsync(EngineScope scope, string name, bool force)
    {
        var changes = new List<EngineChange>();
        foreach (var (b, shard) in await Holding(scope, name))
        {
            // A consumer that has not read to the end is still using the shard: deleting would lose what it has not read.
            if (!force && shard.Consumers.Any(c => c.Offset < shard.Next))
            {
                changes.Add(Change(b, EngineChangeOutcome.InUse, shard));
                continue;
            }

            await b.Engine.WriteAsync(new StorageBatch().DeleteShard(name));
            changes.Add(Change(b, EngineChangeOutcome.Done, shard));
        }

        return [.. changes];
    }

    /// <summary>The backend's name in the API: <c>memory</c>, <c>rocksdb</c>, <c>segment</c>, <c>postgres</c> (as the metrics' <c>backend</c> label).</summary>
    private static string Name(StorageBackend backend) => backend.ToString().ToLowerInvariant();

    private static EngineChange Change(Scoped b, EngineChangeOutcome outcome, EngineShard shard) =>
        new(b.Node, Name(b.Backend), outcome, shard.Low, shard.Next, shard.Consumers);

    /// <summary>The backends this node answers for under <paramref name="scope"/>; the node name is null for the shared one.</summary>
    private List<Scoped> InScope(EngineScope scope)
    {
        var found = new List<Scoped>();
        foreach (var (backend, engine, opened) in storage.Backends())
        {
            var shared = backend == StorageBackend.Postgres;
            if (shared ? scope.IncludesShared(node.Name) : scope.Includes(node.Name))
            {
                found.Add(new Scoped(shared ? null : node.Name, backend, engine, opened));
            }
        }

        return found;
    }

    /// <summary>The backends in scope that hold shard <paramref name="name"/> (records, or a committed offset), with the shard.</summary>
    private async Task<List<(Scoped Backend, EngineShard Shard)>> Holding(EngineScope scope, string name)
    {
        var found = new List<(Scoped, EngineShard)>();
        foreach (var b in InScope(scope))
        {
            var shard = await ShardOf(b, name);
            if (shard.Next > 0 || shard.Consumers.Length > 0)
            {
                found.Add((b, shard));
            }
        }

        return found;
    }

    private static async Task<EngineShard> ShardOf(Scoped b, string name)
    {
        var bounds = await b.Engine.GetBoundsAsync(name);
        var consumers = await b.Engine.ListCommittedAsync(name);
        return new EngineShard(b.Node, Name(b.Backend), name, bounds.Low, bounds.Next, [.. consumers.Select(c => new EngineConsumer(c.Consumer, c.Offset))]);
    }

    /// <summary>The bytes of every file under <paramref name="directory"/>; null when it cannot be read.</summary>
    private static long? DirectorySize(string directory)
    {
        try
        {
            long size = 0;
            if (Directory.Exists(directory))
            {
                foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
                {
                    try
                    {
                        size += file.Length;
                    }
                    catch (FileNotFoundException)
                    {
                        // Deleted since it was listed (a compaction, a segment reclaimed): not there any more.
                    }
                }
            }

            return size;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record Scoped(string? Node, StorageBackend Backend, IStorageEngine Engine, IStorageEngine Opened);
}
