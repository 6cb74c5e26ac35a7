namespace RobustMq.Storage.Tests.Conformance;

/// <summary>Shards: appends, reads, committed offsets, trims and retention.</summary>
public abstract partial class StorageEngineConformance
{
    [Fact]
    public async Task Appends_get_consecutive_offsets_from_zero_per_shard_in_batch_order()
    {
        var batch = new StorageBatch()
            .Append("q/a", Bytes("a0"), 1)
            .Append("q/b", Bytes("b0"), 1)
            .Append("q/a", Bytes("a1"), 1);

        var first = await Engine.WriteAsync(batch);
        var second = await AppendAsync("q/a", "a2");

        Assert.Equal([0L, 0L, 1L], first.Offsets);
        Assert.Equal([2L], second);
        Assert.Equal(["a0", "a1", "a2"], await ReadTextAsync("q/a"));
        Assert.Equal(new ShardBounds(0, 3), await Engine.GetBoundsAsync("q/a"));
    }

    [Fact]
    public async Task A_read_returns_records_from_an_offset_with_their_timestamps_up_to_a_count()
    {
        await Engine.WriteAsync(new StorageBatch().Append("r", Bytes("x"), 10).Append("r", Bytes("y"), 20).Append("r", Bytes("z"), 30));

        var records = await Engine.ReadAsync("r", 1, 1);

        var record = Assert.Single(records);
        Assert.Equal((1L, 20L, "y"), (record.Offset, record.TimestampUnixMs, Text(record.Value)));
        Assert.Empty(await Engine.ReadAsync("r", 3, 10));
        Assert.Empty(await Engine.ReadAsync("r", 0, 0));
    }

    [Fact]
    public async Task A_shard_that_does_not_exist_reads_empty_with_zero_bounds_and_no_commit()
    {
        Assert.Empty(await Engine.ReadAsync("never", 0, 10));
        Assert.Equal(default, await Engine.GetBoundsAsync("never"));
        Assert.Null(await Engine.GetCommittedAsync("never", "c"));
    }

    [Fact]
    public async Task Empty_and_large_values_read_back_byte_for_byte()
    {
        var large = new byte[1 << 20];
        new Random(7).NextBytes(large);

        await Engine.WriteAsync(new StorageBatch().Append("v", ReadOnlyMemory<byte>.Empty, 1).Append("v", large, 2));

        var records = await Engine.ReadAsync("v", 0, 10);
        Assert.Equal(0, records[0].Value.Length);
        Assert.True(large.AsSpan().SequenceEqual(records[1].Value.Span));
    }

    [Fact]
    public async Task A_value_changed_by_the_caller_after_the_write_stays_as_written()
    {
        var value = Bytes("kept");
        var key = Bytes("also");
        await Engine.WriteAsync(new StorageBatch().Append("c", value, 1).Put("s", "k", key));

        value[0] = (byte)'X';
        key[0] = (byte)'X';

        Assert.Equal(["kept"], await ReadTextAsync("c"));
        Assert.Equal("also", Text(await Engine.GetAsync("s", "k") ?? []));
    }

    [Fact]
    public async Task Committed_offsets_are_kept_per_consumer_and_the_last_commit_wins()
    {
        await AppendAsync("o", "1", "2", "3");

        await Engine.WriteAsync(new StorageBatch().Commit("o", "alpha", 1).Commit("o", "beta", 3));
        await Engine.WriteAsync(new StorageBatch().Commit("o", "alpha", 2));

        Assert.Equal(2L, await Engine.GetCommittedAsync("o", "alpha"));
        Assert.Equal(3L, await Engine.GetCommittedAsync("o", "beta"));
        Assert.Null(await Engine.GetCommittedAsync("o", "gamma"));
    }

    [Fact]
    public async Task Trimming_moves_the_start_reads_below_it_begin_there_and_offsets_go_on()
    {
        await AppendAsync("t", "0", "1", "2", "3");

        await Engine.WriteAsync(new StorageBatch().TrimBefore("t", 2));
        var next = await AppendAsync("t", "4");

        Assert.Equal(new ShardBounds(2, 5), await Engine.GetBoundsAsync("t"));
        Assert.Equal(["2", "3", "4"], await ReadTextAsync("t", 0));
        Assert.Equal([4L], next);
    }

    [Fact]
    public async Task Trimming_past_the_end_empties_the_shard_and_keeps_its_next_offset()
    {
        await AppendAsync("te", "0", "1");

        await Engine.WriteAsync(new StorageBatch().TrimBefore("te", 99).TrimBefore("te", 0));

        Assert.Equal(new ShardBounds(2, 2), await Engine.GetBoundsAsync("te"));
        Assert.Empty(await ReadTextAsync("te"));
        var appended = await AppendAsync("te", "2");
        Assert.Equal([2L], appended);
    }

    [Fact]
    public async Task Deleting_a_shard_removes_its_records_and_commits_and_restarts_its_offsets()
    {
        await AppendAsync("d", "0", "1");
        await Engine.WriteAsync(new StorageBatch().Commit("d", "c", 1));

        await Engine.WriteAsync(new StorageBatch().DeleteShard("d"));

        Assert.Equal(default, await Engine.GetBoundsAsync("d"));
        Assert.Null(await Engine.GetCommittedAsync("d", "c"));
        var appended = await AppendAsync("d", "new");
        Assert.Equal([0L], appended);
    }

    [Fact]
    public async Task Operations_of_one_batch_apply_in_order()
    {
        await AppendAsync("ord", "old");

        var result = await Engine.WriteAsync(new StorageBatch().DeleteShard("ord").Append("ord", Bytes("new"), 1).Put("s", "k", Bytes("1")).Delete("s", "k").Put("s", "k2", Bytes("2")));

        Assert.Equal([0L], result.Offsets);
        Assert.Equal(["new"], await ReadTextAsync("ord"));
        Assert.Null(await Engine.GetAsync("s", "k"));
        Assert.NotNull(await Engine.GetAsync("s", "k2"));
    }

    [Fact]
    public async Task Retention_by_count_keeps_the_newest_records()
    {
        await AppendAsync("rc", [.. Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        var low = await Engine.ApplyRetentionAsync("rc", new RetentionPolicy(MaxRecords: 10), nowUnixMs: 0);

        await AssertRetainedFromAsync("rc", low, expectedLow: 40, next: 50);
    }

    [Fact]
    public async Task Retention_by_age_removes_records_older_than_the_limit()
    {
        var batch = new StorageBatch();
        for (var i = 0; i < 20; i++)
        {
            batch.Append("ra", Bytes("m"), 1_000 * i);
        }

        await Engine.WriteAsync(batch);

        var low = await Engine.ApplyRetentionAsync("ra", new RetentionPolicy(MaxAge: TimeSpan.FromSeconds(5)), nowUnixMs: 19_000);

        await AssertRetainedFromAsync("ra", low, expectedLow: 14, next: 20);
    }

    [Fact]
    public async Task Retention_by_bytes_keeps_the_newest_records_that_fit()
    {
        await AppendAsync("rb", [.. Enumerable.Repeat("0123456789", 30)]);

        var low = await Engine.ApplyRetentionAsync("rb", new RetentionPolicy(MaxBytes: 55), nowUnixMs: 0);

        await AssertRetainedFromAsync("rb", low, expectedLow: 25, next: 30);
    }

    [Fact]
    public async Task Retention_of_a_shard_within_its_policy_removes_nothing()
    {
        await AppendAsync("rn", "a", "b");

        var low = await Engine.ApplyRetentionAsync("rn", new RetentionPolicy(MaxRecords: 5, MaxAge: TimeSpan.FromDays(1), MaxBytes: 100), nowUnixMs: 2_000);

        Assert.Equal(0, low);
        Assert.Equal(["a", "b"], await ReadTextAsync("rn"));
    }

    [Fact]
    public async Task Shards_are_listed_in_ordinal_order_by_prefix()
    {
        await AppendAsync("queue/b", "x");
        await AppendAsync("queue/a", "x");
        await AppendAsync("topic/a", "x");

        var listed = new List<string>();
        await foreach (var name in Engine.ListShardsAsync("queue/"))
        {
            listed.Add(name);
        }

        Assert.Equal(["queue/a", "queue/b"], listed);
    }

    [Fact]
    public async Task Concurrent_writers_get_distinct_offsets_and_each_writers_order_is_kept()
    {
        const int writers = 8;
        const int each = 200;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await Engine.WriteAsync(new StorageBatch().Append("cw", Bytes($"{w}:{i}"), 1));
            }
        })));

        var records = await Engine.ReadAsync("cw", 0, writers * each + 1);

        Assert.Equal(Enumerable.Range(0, writers * each).Select(i => (long)i), records.Select(r => r.Offset));
        foreach (var writer in records.Select(r => Text(r.Value).Split(':')).GroupBy(p => p[0]))
        {
            Assert.Equal(Enumerable.Range(0, each).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), writer.Select(p => p[1]));
        }
    }

    private async Task AssertRetainedFromAsync(string shard, long low, long expectedLow, long next)
    {
        var bounds = await Engine.GetBoundsAsync(shard);
        Assert.Equal(low, bounds.Low);
        Assert.Equal(next, bounds.Next);
        if (MayRetainExtra)
        {
            Assert.InRange(low, 0, expectedLow);
        }
        else
        {
            Assert.Equal(expectedLow, low);
        }

        var records = await Engine.ReadAsync(shard, 0, 1000);
        Assert.Equal(next - low, records.Count);
        Assert.Equal(low, records[0].Offset);
    }
}
