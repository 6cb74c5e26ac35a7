namespace RobustMq.Abstractions.Routing;

/// <summary>
/// A node's one way of writing route changes to the topic shards, shared by every session on the node (clean ones
/// served by their connection, persistent ones by their grain). Changes that arrive while a write is under way are
/// gathered and written together next, one <see cref="ITopicShardGrain.Apply"/> call per shard for the whole group:
/// forty concurrent SUBSCRIBEs of 100 filters each cost about one call per shard (64), not one per shard per SUBSCRIBE
/// (up to 2,560), and each shard pushes to the nodes' route caches once for the group.
/// </summary>
/// <remarks>
/// Order: a caller's changes keep their order within a group, and a group is written only after the one before it
/// has been applied, so a later change never overtakes an earlier one (subscribe, then unsubscribe, of one filter).
/// Errors: when a shard call fails, every caller of that group gets the exception (the other shards may have applied
/// their part, as with separate calls).
/// Thread-safe.
/// </remarks>
public sealed class TopicShardWriter(IGrainFactory grains)
{
    private readonly Lock _gate = new();
    private readonly ITopicShardGrain?[] _shards = new ITopicShardGrain?[TopicShards.Count];
    private List<RouteChange> _pending = [];
    private TaskCompletionSource? _next;
    private bool _writing;

    /// <summary>Writes <paramref name="changes"/> to their shards; completes once every shard has applied them (and so pushed them to every node).</summary>
    public Task ApplyAsync(IReadOnlyList<RouteChange> changes)
    {
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        Task done;
        lock (_gate)
        {
            _pending.AddRange(changes);
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = _next.Task;
            if (_writing)
            {
                return done;
            }

            _writing = true;
        }

        _ = Task.Run(WriteGroupsAsync);
        return done;
    }

    private async Task WriteGroupsAsync()
    {
        var spare = new List<RouteChange>();
        var byShard = new List<RouteChange>?[TopicShards.Count];
        while (true)
        {
            List<RouteChange> group;
            TaskCompletionSource done;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                group = _pending;
                done = _next!;
                _pending = spare;
                _next = null;
            }

            try
            {
                foreach (var change in group)
                {
                    (byShard[TopicShards.ShardOf(change.Entry.Filter)] ??= []).Add(change);
                }

                var calls = new List<Task>();
                for (var shard = 0; shard < byShard.Length; shard++)
                {
                    if (byShard[shard] is { Count: > 0 } list)
                    {
                        // A big group (a node restoring many sessions' routes at once) goes in bounded calls, in order.
                        calls.Add(ApplyInChunksAsync(Shard(shard), [.. list]));
                        list.Clear();
                    }
                }

                await Task.WhenAll(calls);
                done.SetResult();
            }
            catch (Exception ex)
            {
                foreach (var list in byShard)
                {
                    list?.Clear();
                }

                done.SetException(ex);
            }

            group.Clear();
            spare = group;
        }
    }

    /// <summary>The most changes one <see cref="ITopicShardGrain.Apply"/> call carries.</summary>
    public const int MaxChangesPerCall = 5_000;

    private static async Task ApplyInChunksAsync(ITopicShardGrain shard, RouteChange[] changes)
    {
        if (changes.Length <= MaxChangesPerCall)
        {
            await shard.Apply(changes);
            return;
        }

        for (var start = 0; start < changes.Length; start += MaxChangesPerCall)
        {
            await shard.Apply(changes[start..Math.Min(changes.Length, start + MaxChangesPerCall)]);
        }
    }

    private ITopicShardGrain Shard(int shard) => _shards[shard] ??= grains.GetGrain<ITopicShardGrain>(shard);
}
