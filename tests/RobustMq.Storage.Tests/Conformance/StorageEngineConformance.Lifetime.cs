namespace RobustMq.Storage.Tests.Conformance;

/// <summary>What survives a reopen, and what a disposed engine says.</summary>
public abstract partial class StorageEngineConformance
{
    [Fact]
    public async Task Records_offsets_commits_and_keys_are_there_again_after_a_reopen()
    {
        if (!IsDurable)
        {
            return;
        }

        await AppendAsync("dur", "0", "1", "2");
        await Engine.WriteAsync(new StorageBatch().TrimBefore("dur", 1).Commit("dur", "c", 2).Put("s", "k", Bytes("v")).Put("s", "gone", Bytes("x")));
        await Engine.WriteAsync(new StorageBatch().Delete("s", "gone"));

        await ReopenAsync();

        Assert.Equal(new ShardBounds(1, 3), await Engine.GetBoundsAsync("dur"));
        Assert.Equal(["1", "2"], await ReadTextAsync("dur"));
        Assert.Equal(2L, await Engine.GetCommittedAsync("dur", "c"));
        Assert.Equal("v", Text(await Engine.GetAsync("s", "k") ?? []));
        Assert.Null(await Engine.GetAsync("s", "gone"));
        var appended = await AppendAsync("dur", "3");
        Assert.Equal([3L], appended);
    }

    [Fact]
    public void Sync_says_whether_a_write_survives_the_process()
    {
        Assert.Equal(IsDurable, Engine.Sync.SurvivesProcessCrash);
    }

    [Fact]
    public async Task A_disposed_engine_refuses_writes_with_closed()
    {
        await Engine.DisposeAsync();

        var refused = await Assert.ThrowsAsync<StorageException>(async () => await Engine.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v"))));

        Assert.Equal(StorageErrorKind.Closed, refused.Kind);
    }
}
