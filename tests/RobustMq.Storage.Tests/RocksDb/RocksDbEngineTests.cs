using System.Text;
using RobustMq.Storage.RocksDb;
using Xunit.Abstractions;

namespace RobustMq.Storage.Tests.RocksDb;

/// <summary>What the RocksDB backend promises beyond the shared contract: one open per path, group commit, sync modes, failures.</summary>
public sealed class RocksDbEngineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RocksDbTempDirectory _directory = new();
    private readonly List<RocksDbStorageEngine> _engines = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public void A_second_open_of_the_same_path_is_unavailable_and_names_the_path()
    {
        var first = Open(StorageSync.Always);

        var refused = Assert.Throws<StorageException>(() => Open(StorageSync.Always));

        Assert.Equal(StorageErrorKind.Unavailable, refused.Kind);
        Assert.Contains(first.Path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("already open by this or another process", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_path_opens_again_once_the_first_engine_is_disposed()
    {
        var first = Open(StorageSync.Always);
        await first.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v")));
        await first.DisposeAsync();

        var second = Open(StorageSync.Always);

        Assert.Equal("v", Text(await second.GetAsync("s", "k")));
    }

    [Fact]
    public async Task Writes_queued_while_the_committer_is_held_land_in_one_group()
    {
        var engine = Open(StorageSync.Always);
        var before = engine.GroupCount;
        engine.PauseCommitter(true);
        var writes = Enumerable.Range(0, 32).Select(i => engine.WriteAsync(new StorageBatch().Append("g", Bytes($"{i}"), 1)).AsTask()).ToArray();

        engine.PauseCommitter(false);
        var results = await Task.WhenAll(writes);

        Assert.Equal(before + 1, engine.GroupCount);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (long)i), results.Select(r => r.Offsets[0]));
    }

    [Fact]
    public async Task Thirty_two_concurrent_writers_with_sync_always_share_fsyncs()
    {
        const int writers = 32;
        const int each = 20;
        var engine = Open(StorageSync.Always);
        var before = engine.GroupCount;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append($"w/{w}", Bytes($"{i}"), 1));
            }
        })));

        var groups = engine.GroupCount - before;
        output.WriteLine($"{writers * each} writes in {groups} groups");
        Assert.True(groups < writers * each, $"{writers * each} writes took {groups} groups: expected fewer groups than writes");
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(new ShardBounds(0, each), await engine.GetBoundsAsync($"w/{w}"));
        }
    }

    [Theory]
    [InlineData("Always")]
    [InlineData("Periodic:5")]
    [InlineData("None")]
    public async Task Every_sync_mode_keeps_completed_writes_across_a_reopen(string sync)
    {
        Assert.True(StorageSync.TryParse(sync, out var mode));
        var engine = Open(mode);
        await engine.WriteAsync(new StorageBatch().Append("m", Bytes("r"), 7).Put("s", "k", Bytes(sync)));
        await engine.DisposeAsync();

        var reopened = Open(mode);

        Assert.Equal(sync, reopened.Sync.ToString());
        Assert.Equal(new ShardBounds(0, 1), await reopened.GetBoundsAsync("m"));
        Assert.Equal(sync, Text(await reopened.GetAsync("s", "k")));
    }

    [Fact]
    public void A_volatile_sync_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RocksDbStorageEngine(new RocksDbStorageOptions(_directory.Path, StorageSync.Volatile)));
    }

    [Fact]
    public async Task A_failed_group_fails_every_waiter_and_rolls_back_its_offsets()
    {
        var engine = Open(StorageSync.Always);
        await engine.WriteAsync(new StorageBatch().Append("f", Bytes("0"), 1));
        engine.BeforeGroupWrite = () => throw new IOException("IO error: No space left on device");
        engine.PauseCommitter(true);
        var failing = Enumerable.Range(0, 3).Select(i => engine.WriteAsync(new StorageBatch().Append("f", Bytes($"x{i}"), 1).Put("s", "k", Bytes("x"))).AsTask()).ToArray();

        engine.PauseCommitter(false);

        foreach (var write in failing)
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => write);
            Assert.Equal(StorageErrorKind.Full, error.Kind);
        }

        engine.BeforeGroupWrite = null;
        var next = await engine.WriteAsync(new StorageBatch().Append("f", Bytes("1"), 1));
        Assert.Equal([1L], next.Offsets);
        Assert.Equal(1, engine.ReopenCount);
        Assert.Equal(new ShardBounds(0, 2), await engine.GetBoundsAsync("f"));
        Assert.Null(await engine.GetAsync("s", "k"));
        await engine.DisposeAsync();
        var reopened = Open(StorageSync.Always);
        Assert.Equal(["0", "1"], (await reopened.ReadAsync("f", 0, 10)).Select(r => Text(r.Value.ToArray())));
    }

    [Fact]
    public async Task Writes_still_queued_at_dispose_fail_with_closed_and_later_calls_too()
    {
        var engine = Open(StorageSync.Always);
        engine.PauseCommitter(true);
        var queued = engine.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v"))).AsTask();

        await engine.DisposeAsync();

        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(() => queued)).Kind);
        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.GetAsync("s", "k"))).Kind);
        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.ReadAsync("q", 0, 1))).Kind);
        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.ApplyRetentionAsync("q", new RetentionPolicy(1), 0))).Kind);
    }

    [Fact]
    public async Task Retention_deletes_and_bounds_survive_a_reopen_exactly()
    {
        var engine = Open(StorageSync.Always);
        var batch = new StorageBatch();
        for (var i = 0; i < 600; i++)
        {
            batch.Append("big", Bytes($"{i}"), i);
        }

        await engine.WriteAsync(batch.Append("gone", Bytes("x"), 1).Commit("gone", "c", 1));
        Assert.Equal(590, await engine.ApplyRetentionAsync("big", new RetentionPolicy(MaxRecords: 10), 0));
        await engine.WriteAsync(new StorageBatch().DeleteShard("gone").TrimBefore("big", 595));
        await engine.DisposeAsync();

        var reopened = Open(StorageSync.Always);

        Assert.Equal(new ShardBounds(595, 600), await reopened.GetBoundsAsync("big"));
        Assert.Equal(["595", "596", "597", "598", "599"], (await reopened.ReadAsync("big", 0, 100)).Select(r => Text(r.Value.ToArray())));
        Assert.Equal(default, await reopened.GetBoundsAsync("gone"));
        Assert.Null(await reopened.GetCommittedAsync("gone", "c"));
        var listed = new List<string>();
        await foreach (var shard in reopened.ListShardsAsync())
        {
            listed.Add(shard);
        }

        Assert.Equal(["big"], listed);
    }

    [Fact]
    public async Task A_scan_longer_than_one_chunk_returns_every_key_once_in_order()
    {
        var engine = Open(StorageSync.None);
        var batch = new StorageBatch();
        var keys = Enumerable.Range(0, 700).Select(i => $"t/{i:D4}").ToArray();
        foreach (var key in keys)
        {
            batch.Put("retained", key, Bytes(key));
        }

        await engine.WriteAsync(batch.Put("retained", "u/other", Bytes("x")));

        var scanned = new List<string>();
        await foreach (var entry in engine.ScanAsync("retained", "t/"))
        {
            scanned.Add(entry.Key);
        }

        Assert.Equal(keys, scanned);
    }

    private RocksDbStorageEngine Open(StorageSync sync)
    {
        var engine = new RocksDbStorageEngine(new RocksDbStorageOptions(_directory.Path, sync));
        _engines.Add(engine);
        return engine;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);
}
