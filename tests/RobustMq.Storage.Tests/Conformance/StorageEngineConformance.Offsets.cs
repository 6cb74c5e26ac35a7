namespace RobustMq.Storage.Tests.Conformance;

/// <summary>What the admin API's offset commands read: every consumer's commit, and the offset of a time.</summary>
public abstract partial class StorageEngineConformance
{
    [Fact]
    public async Task Listing_commits_gives_every_consumer_of_the_shard_in_byte_order_and_nothing_of_other_shards()
    {
        await Engine.WriteAsync(new StorageBatch().Commit("q", "beta", 3).Commit("q", "alpha", 1).Commit("q2", "other", 9).Commit("p", "x", 4));
        await Engine.WriteAsync(new StorageBatch().Commit("q", "alpha", 2).Commit("q", "\u00e9", 5));

        Assert.Equal([new ConsumerOffset("alpha", 2), new ConsumerOffset("beta", 3), new ConsumerOffset("\u00e9", 5)], await Engine.ListCommittedAsync("q"));
        Assert.Empty(await Engine.ListCommittedAsync("never"));

        await Engine.WriteAsync(new StorageBatch().DeleteShard("q"));

        Assert.Empty(await Engine.ListCommittedAsync("q"));
        Assert.Equal([new ConsumerOffset("other", 9)], await Engine.ListCommittedAsync("q2"));
    }

    [Fact]
    public async Task Seeking_a_time_gives_the_first_kept_record_stamped_at_or_after_it()
    {
        var batch = new StorageBatch();
        long[] stamps = [100, 200, 200, 300, 400, 500];
        foreach (var stamp in stamps)
        {
            batch.Append("t", Bytes("v"), stamp);
        }

        await Engine.WriteAsync(batch);
        await Engine.WriteAsync(new StorageBatch().TrimBefore("t", 1));

        Assert.Equal(1L, await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 0));
        Assert.Equal(1L, await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 150));
        Assert.Equal(1L, await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 200));
        Assert.Equal(3L, await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 201));
        Assert.Equal(5L, await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 500));
        Assert.Null(await ShardSeek.FirstAtOrAfterAsync(Engine, "t", 501));
        Assert.Null(await ShardSeek.FirstAtOrAfterAsync(Engine, "never", 0));
    }
}
