using System.Text;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>Retention deletes whole segment files once nothing in them is live; what is live survives a reopen.</summary>
public sealed class SegmentRetentionTests : IDisposable
{
    private readonly TempLogDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Retention_deletes_the_old_segment_files_and_keeps_keys_commits_and_offsets_across_a_reopen()
    {
        string[] before;
        await using (var engine = await _directory.OpenAsync(segmentBytes: 4096))
        {
            await engine.WriteAsync(new StorageBatch().Put("s", "early", Bytes("kept")).Commit("r", "c", 5).Append("empty", Bytes("x"), 1).TrimBefore("empty", 1));
            for (var i = 0; i < 200; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append("r", new byte[100], i));
            }

            before = _directory.SegmentFiles();
            Assert.True(before.Length > 5, $"expected more than 5 segments, got {before.Length}");

            var low = await engine.ApplyRetentionAsync("r", new RetentionPolicy(MaxRecords: 10), nowUnixMs: 0);

            Assert.Equal(190, low);
            Assert.True(engine.DeletedSegments >= before.Length - 2, $"deleted {engine.DeletedSegments} of {before.Length}");
        }

        var after = _directory.SegmentFiles();
        Assert.All(before.Take(before.Length - 2), path => Assert.False(File.Exists(path), $"{path} should be deleted"));
        Assert.True(after.Length <= 3, $"expected at most 3 segments left, got {after.Length}");

        await using var reopened = await _directory.OpenAsync(segmentBytes: 4096);

        Assert.Equal(new ShardBounds(190, 200), await reopened.GetBoundsAsync("r"));
        Assert.Equal(Enumerable.Range(190, 10).Select(i => (long)i), (await reopened.ReadAsync("r", 0, 100)).Select(r => r.Offset));
        Assert.Equal(5L, await reopened.GetCommittedAsync("r", "c"));
        Assert.Equal("kept", Encoding.UTF8.GetString(await reopened.GetAsync("s", "early") ?? []));
        Assert.Equal(new ShardBounds(1, 1), await reopened.GetBoundsAsync("empty"));
        Assert.Equal(0, reopened.RecoveryDroppedBytes);
    }

    [Fact]
    public async Task A_crash_between_the_checkpoint_and_the_file_deletion_reopens_the_same_state()
    {
        var saved = new Dictionary<string, byte[]>();
        await using (var engine = await _directory.OpenAsync(segmentBytes: 4096))
        {
            await engine.WriteAsync(new StorageBatch().Put("s", "early", Bytes("kept")).Put("s", "gone", Bytes("x")).Commit("r", "c", 7).Append("d", Bytes("x"), 1));
            for (var i = 0; i < 100; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append("r", new byte[100], i));
            }

            await engine.WriteAsync(new StorageBatch().Delete("s", "gone").DeleteShard("d"));
            foreach (var file in _directory.SegmentFiles())
            {
                saved[file] = await File.ReadAllBytesAsync(file);
            }

            await engine.ApplyRetentionAsync("r", new RetentionPolicy(MaxRecords: 5), nowUnixMs: 0);
            Assert.True(engine.DeletedSegments > 0, "expected retention to delete segments");
        }

        foreach (var (file, bytes) in saved.Where(f => !File.Exists(f.Key)))
        {
            await File.WriteAllBytesAsync(file, bytes);
        }

        await using var reopened = await _directory.OpenAsync(segmentBytes: 4096);

        Assert.Equal(new ShardBounds(95, 100), await reopened.GetBoundsAsync("r"));
        Assert.Equal(7L, await reopened.GetCommittedAsync("r", "c"));
        Assert.Equal("kept", Encoding.UTF8.GetString(await reopened.GetAsync("s", "early") ?? []));
        Assert.Null(await reopened.GetAsync("s", "gone"));
        Assert.Equal(default, await reopened.GetBoundsAsync("d"));
        Assert.Equal(5, (await reopened.ReadAsync("r", 0, 100)).Count);
    }

    [Fact]
    public async Task A_segment_with_a_live_record_is_not_deleted()
    {
        await using var engine = await _directory.OpenAsync(segmentBytes: 4096);
        await engine.WriteAsync(new StorageBatch().Append("pinned", Bytes("old"), 1));
        for (var i = 0; i < 100; i++)
        {
            await engine.WriteAsync(new StorageBatch().Append("r", new byte[100], i));
        }

        var first = _directory.SegmentFiles()[0];

        await engine.ApplyRetentionAsync("r", new RetentionPolicy(MaxRecords: 1), nowUnixMs: 0);

        Assert.True(File.Exists(first));
        Assert.Equal(0, engine.DeletedSegments);
        Assert.Equal("old", Encoding.UTF8.GetString((await engine.ReadAsync("pinned", 0, 1))[0].Value.Span));
    }

    [Fact]
    public async Task Reads_racing_retention_and_segment_deletion_return_whole_consecutive_records()
    {
        await using var engine = await _directory.OpenAsync(segmentBytes: 4096, sync: StorageSync.None);
        using var done = new CancellationTokenSource();
        await engine.WriteAsync(new StorageBatch().Put("s", "k", Bytes("start!")));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append("r", Bytes($"{i:D6}").Concat(new byte[60]).ToArray(), i).Put("s", "k", Bytes($"{i:D6}")));
                if (i % 50 == 49)
                {
                    await engine.ApplyRetentionAsync("r", new RetentionPolicy(MaxRecords: 20), nowUnixMs: 0);
                }
            }

            await done.CancelAsync();
        });

        var reads = 0;
        while (!done.IsCancellationRequested)
        {
            var records = await engine.ReadAsync("r", 0, 30);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.Equal(records[0].Offset + i, records[i].Offset);
                Assert.Equal($"{records[i].Offset:D6}", Encoding.UTF8.GetString(records[i].Value.Span[..6]));
            }

            Assert.Equal(6, (await engine.GetAsync("s", "k") ?? []).Length);
            reads++;
        }

        await writer;
        Assert.True(engine.DeletedSegments > 0, "expected retention to delete segments while reading");
        Assert.True(reads > 0, "expected the reader to run while writing");
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
