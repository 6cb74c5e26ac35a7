using System.Text;
using RobustMq.Storage.Segment;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>The write path: group commit, a full disk, one engine per directory, a disposed engine.</summary>
public sealed class SegmentWriterTests : IDisposable
{
    private readonly TempLogDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Concurrent_writers_with_sync_always_share_fsyncs()
    {
        const int writers = 32;
        const int each = 20;
        await using var engine = await _directory.OpenAsync(segmentBytes: 1 << 20, sync: StorageSync.Always);
        using var start = new ManualResetEventSlim();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var i = 0; i < each; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append($"w{w}", Bytes($"{i}"), i));
            }
        })).Append(Task.Run(start.Set)));

        Assert.InRange(engine.FsyncCount, 1, (writers * each) - 1);
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(new ShardBounds(0, each), await engine.GetBoundsAsync($"w{w}"));
        }
    }

    [Fact]
    public async Task Sync_none_never_fsyncs_while_writing()
    {
        await using var engine = await _directory.OpenAsync(sync: StorageSync.None);

        for (var i = 0; i < 50; i++)
        {
            await engine.WriteAsync(new StorageBatch().Append("a", new byte[100], i));
        }

        Assert.Equal(0, engine.FsyncCount);
    }

    [Fact]
    public async Task Sync_periodic_fsyncs_written_data_on_its_timer()
    {
        await using var engine = await _directory.OpenAsync(sync: StorageSync.Periodic(TimeSpan.FromMilliseconds(5)));

        await engine.WriteAsync(new StorageBatch().Append("a", new byte[100], 1));

        Assert.True(SpinWait.SpinUntil(() => engine.FsyncCount > 0, TimeSpan.FromSeconds(10)), "periodic fsync: expected at least 1 fsync within 10 s of a write, got 0");
    }

    [Fact]
    public async Task A_write_that_hits_a_full_disk_is_refused_with_full_changes_nothing_and_later_writes_work()
    {
        await using (var engine = await _directory.OpenAsync())
        {
            await engine.WriteAsync(new StorageBatch().Append("a", Bytes("kept"), 1).Put("s", "k", Bytes("v1")));
            var before = _directory.LogBytes();
            engine.FailNextWriteAfterBytes = 10;

            var refused = await Assert.ThrowsAsync<StorageException>(async () =>
                await engine.WriteAsync(new StorageBatch().Append("a", Bytes("lost"), 2).Put("s", "k", Bytes("v2"))));

            Assert.Equal(StorageErrorKind.Full, refused.Kind);
            Assert.Equal(before, _directory.LogBytes());
            Assert.Equal(new ShardBounds(0, 1), await engine.GetBoundsAsync("a"));
            Assert.Equal("v1", Encoding.UTF8.GetString(await engine.GetAsync("s", "k") ?? []));
            var next = await engine.WriteAsync(new StorageBatch().Append("a", Bytes("after"), 3));
            Assert.Equal(new[] { 1L }, next.Offsets);
        }

        await using var reopened = await _directory.OpenAsync();

        Assert.Equal(0, reopened.RecoveryDroppedBytes);
        Assert.Equal(["kept", "after"], (await reopened.ReadAsync("a", 0, 10)).Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        Assert.Equal("v1", Encoding.UTF8.GetString(await reopened.GetAsync("s", "k") ?? []));
    }

    [Fact]
    public async Task A_second_engine_on_the_same_directory_is_refused_while_the_first_is_open()
    {
        await using var engine = await _directory.OpenAsync();

        var refused = await Assert.ThrowsAsync<StorageException>(async () => await _directory.OpenAsync());

        Assert.Equal(StorageErrorKind.Unavailable, refused.Kind);
    }

    [Fact]
    public async Task A_disposed_engine_refuses_reads_with_closed()
    {
        var engine = await _directory.OpenAsync();
        await engine.WriteAsync(new StorageBatch().Append("a", Bytes("x"), 1));

        await engine.DisposeAsync();

        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.ReadAsync("a", 0, 1))).Kind);
        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.GetAsync("s", "k"))).Kind);
        Assert.Equal(StorageErrorKind.Closed, (await Assert.ThrowsAsync<StorageException>(async () => await engine.ApplyRetentionAsync("a", new RetentionPolicy(1), 0))).Kind);
    }

    [Fact]
    public async Task A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        var large = new byte[10_000];
        new Random(5).NextBytes(large);
        await using (var engine = await _directory.OpenAsync(segmentBytes: 4096))
        {
            await engine.WriteAsync(new StorageBatch().Append("a", Bytes("small"), 1));
            await engine.WriteAsync(new StorageBatch().Append("a", large, 2));
            await engine.WriteAsync(new StorageBatch().Append("a", Bytes("after"), 3));
        }

        await using var reopened = await _directory.OpenAsync(segmentBytes: 4096);

        Assert.Equal(3, _directory.SegmentFiles().Length);
        var records = await reopened.ReadAsync("a", 0, 10);
        Assert.True(large.AsSpan().SequenceEqual(records[1].Value.Span));
        Assert.Equal("after", Encoding.UTF8.GetString(records[2].Value.Span));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
