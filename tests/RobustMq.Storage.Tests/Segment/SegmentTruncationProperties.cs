using FsCheck;
using FsCheck.Xunit;
using RobustMq.Storage.Memory;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>
/// Random batches, then the log cut at a random byte: the reopened engine holds exactly the batches that ended
/// before the cut, whole, as a <see cref="MemoryStorageEngine"/> that applied the same prefix does.
/// </summary>
public sealed class SegmentTruncationProperties
{
    private static readonly string[] ShardNames = ["q/a", "q/b", "q/c"];
    private static readonly string[] Keys = ["k0", "k1", "k2"];

    [Property(MaxTest = 40)]
    public async Task A_log_cut_anywhere_reopens_as_a_whole_batch_prefix(byte[][] batchCodes, NonNegativeInt cutSeed)
    {
        var batches = batchCodes.Take(30).Select((codes, i) => codes.Take(8).ToArray()).ToArray();
        using var directory = new TempLogDirectory();
        var ends = new long[batches.Length];
        await using (var engine = await directory.OpenAsync(segmentBytes: 4096, sync: StorageSync.None))
        {
            for (var i = 0; i < batches.Length; i++)
            {
                await engine.WriteAsync(Batch(i, batches[i]));
                ends[i] = directory.LogBytes();
            }
        }

        var total = directory.LogBytes();
        var cut = total == 0 ? 0 : cutSeed.Get % (total + 1);
        CutLog(directory, cut);
        var kept = ends.Count(end => end <= cut);

        await using var expected = new MemoryStorageEngine();
        for (var i = 0; i < kept; i++)
        {
            await expected.WriteAsync(Batch(i, batches[i]));
        }

        await using var reopened = await directory.OpenAsync(segmentBytes: 4096, sync: StorageSync.None);
        await AssertSameAsync(expected, reopened);
    }

    /// <summary>Batch <paramref name="index"/>: one op per code (kind, shard, key and value length all from the code).</summary>
    private static StorageBatch Batch(int index, byte[] codes)
    {
        var batch = new StorageBatch();
        for (var j = 0; j < codes.Length; j++)
        {
            var code = codes[j];
            var shard = ShardNames[code / 8 % 3];
            var key = Keys[code / 24 % 3];
            var value = Enumerable.Range(0, ((code * 7) + j) % 60).Select(b => (byte)(b + index)).ToArray();
            _ = (code % 8) switch
            {
                0 or 1 or 2 => batch.Append(shard, value, (index * 10) + j),
                3 => batch.Commit(shard, key, code),
                4 => batch.TrimBefore(shard, code % 5),
                5 => batch.DeleteShard(shard),
                6 => batch.Put("s", key, value),
                _ => batch.Delete("s", key),
            };
        }

        return batch;
    }

    /// <summary>Cuts the log (its segments end to end) at byte <paramref name="cut"/>: that segment is shortened, later ones deleted.</summary>
    private static void CutLog(TempLogDirectory directory, long cut)
    {
        var start = 0L;
        foreach (var file in directory.SegmentFiles())
        {
            var length = new FileInfo(file).Length;
            if (start >= cut && start > 0)
            {
                File.Delete(file);
            }
            else if (start + length > cut)
            {
                using var stream = new FileStream(file, FileMode.Open);
                stream.SetLength(cut - start);
            }

            start += length;
        }
    }

    private static async Task AssertSameAsync(IStorageEngine expected, IStorageEngine actual)
    {
        Assert.Equal(await ListAsync(expected), await ListAsync(actual));
        foreach (var shard in ShardNames)
        {
            Assert.Equal(await expected.GetBoundsAsync(shard), await actual.GetBoundsAsync(shard));
            var want = await expected.ReadAsync(shard, 0, 1000);
            var got = await actual.ReadAsync(shard, 0, 1000);
            Assert.Equal(want.Select(r => (r.Offset, r.TimestampUnixMs, Convert.ToHexString(r.Value.Span))), got.Select(r => (r.Offset, r.TimestampUnixMs, Convert.ToHexString(r.Value.Span))));
            foreach (var key in Keys)
            {
                Assert.Equal(await expected.GetCommittedAsync(shard, key), await actual.GetCommittedAsync(shard, key));
            }
        }

        Assert.Equal(await ScanAsync(expected), await ScanAsync(actual));
    }

    private static async Task<List<string>> ListAsync(IStorageEngine engine)
    {
        var names = new List<string>();
        await foreach (var name in engine.ListShardsAsync())
        {
            names.Add(name);
        }

        return names;
    }

    private static async Task<List<string>> ScanAsync(IStorageEngine engine)
    {
        var entries = new List<string>();
        await foreach (var entry in engine.ScanAsync("s"))
        {
            entries.Add($"{entry.Key}={Convert.ToHexString(entry.Value)}");
        }

        return entries;
    }
}
