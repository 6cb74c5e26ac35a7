using System.Text;
using RobustMq.Storage.Segment;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>
/// Recovery on open: a torn or damaged record ends the log; it is cut there and every earlier batch is kept. Five
/// batches go to one segment, each appending to two shards, putting a key and committing an offset.
/// </summary>
public sealed class SegmentRecoveryTests : IDisposable
{
    private const int Batches = 5;
    private readonly TempLogDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(30)]
    [InlineData(-1)]
    public async Task A_log_cut_inside_the_last_record_keeps_every_earlier_batch(int cutFromRecordStart)
    {
        var ends = await WriteBatchesAsync();
        var lastStart = ends[^2];
        var cut = cutFromRecordStart > 0 ? lastStart + cutFromRecordStart : ends[^1] + cutFromRecordStart;
        Truncate(cut);

        await using var engine = await _directory.OpenAsync(segmentBytes: 1 << 20);

        await AssertBatchesKeptAsync(engine, Batches - 1);
        Assert.Equal(cut - lastStart, engine.RecoveryDroppedBytes);
        Assert.Equal(lastStart, _directory.LogBytes());
        var appended = await engine.WriteAsync(new StorageBatch().Append("a", Bytes("again"), 1));
        Assert.Equal(new[] { Batches - 1L }, appended.Offsets);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(-2)]
    public async Task A_flipped_byte_in_the_last_record_is_caught_and_only_that_batch_is_dropped(int byteFromRecordStart)
    {
        var ends = await WriteBatchesAsync();
        var lastStart = ends[^2];
        FlipByte(byteFromRecordStart >= 0 ? lastStart + byteFromRecordStart : ends[^1] + byteFromRecordStart);

        await using var engine = await _directory.OpenAsync(segmentBytes: 1 << 20);

        await AssertBatchesKeptAsync(engine, Batches - 1);
        Assert.Equal(ends[^1] - lastStart, engine.RecoveryDroppedBytes);
    }

    /// <summary>
    /// The chosen rule: the log must stay a prefix of what was written, so a damaged record in the middle ends it
    /// like a torn tail; the intact batches after it are dropped too (counted in RecoveryDroppedBytes), and no data
    /// of the damaged record or after it is ever returned. Open does not fail.
    /// </summary>
    [Fact]
    public async Task A_flipped_byte_in_a_middle_record_keeps_the_batches_before_it_and_returns_nothing_after()
    {
        var ends = await WriteBatchesAsync();
        FlipByte(ends[2] + 20);

        await using (var engine = await _directory.OpenAsync(segmentBytes: 1 << 20))
        {
            await AssertBatchesKeptAsync(engine, 2);
            Assert.Equal(ends[^1] - ends[2], engine.RecoveryDroppedBytes);
            await engine.WriteAsync(new StorageBatch().Append("a", Bytes("a2"), 1).Append("b", Bytes("b2"), 1).Put("s", "k2", Bytes("v2")).Commit("a", "c", 3));
        }

        await using var reopened = await _directory.OpenAsync(segmentBytes: 1 << 20);

        await AssertBatchesKeptAsync(reopened, 3);
        Assert.Equal(0, reopened.RecoveryDroppedBytes);
    }

    [Fact]
    public async Task A_cut_in_an_earlier_segment_deletes_it_when_emptied_and_every_later_segment()
    {
        await using (var engine = await _directory.OpenAsync(segmentBytes: 4096))
        {
            for (var i = 0; i < 60; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append("a", new byte[200], i));
            }
        }

        var files = _directory.SegmentFiles();
        Assert.True(files.Length >= 3, $"expected at least 3 segments, got {files.Length}");
        // One record: header 8, sequence 8, op count 4, kind 1, shard "a" 3, offset 8, timestamp 8, value 4 + 200.
        var recordsInFirst = new FileInfo(files[0]).Length / 244;
        using (var stream = new FileStream(files[1], FileMode.Open))
        {
            stream.SetLength(100);
        }

        await using var reopened = await _directory.OpenAsync(segmentBytes: 4096);

        Assert.Equal(new ShardBounds(0, recordsInFirst), await reopened.GetBoundsAsync("a"));
        Assert.Equal([files[0]], _directory.SegmentFiles());
    }

    [Fact]
    public async Task An_empty_log_directory_opens_empty_and_reopens_what_was_written()
    {
        await using (var engine = await _directory.OpenAsync())
        {
            Assert.Equal(default, await engine.GetBoundsAsync("a"));
            await engine.WriteAsync(new StorageBatch().Append("a", Bytes("x"), 1));
        }

        await using var reopened = await _directory.OpenAsync();

        Assert.Equal(new ShardBounds(0, 1), await reopened.GetBoundsAsync("a"));
        Assert.Equal(0, reopened.RecoveryDroppedBytes);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Writes the batches to one segment; returns the log's length before the first (0) and after each batch (1..5).</summary>
    private async Task<long[]> WriteBatchesAsync()
    {
        var ends = new long[Batches + 1];
        await using var engine = await _directory.OpenAsync(segmentBytes: 1 << 20);
        for (var i = 0; i < Batches; i++)
        {
            await engine.WriteAsync(new StorageBatch()
                .Append("a", Bytes($"a{i}"), i)
                .Append("b", Bytes($"b{i}"), i)
                .Put("s", $"k{i}", Bytes($"v{i}"))
                .Commit("a", "c", i + 1));
            ends[i + 1] = _directory.LogBytes();
        }

        Assert.Single(_directory.SegmentFiles());
        return ends;
    }

    private async Task AssertBatchesKeptAsync(SegmentStorageEngine engine, int kept)
    {
        foreach (var shard in new[] { "a", "b" })
        {
            Assert.Equal(new ShardBounds(0, kept), await engine.GetBoundsAsync(shard));
            var records = await engine.ReadAsync(shard, 0, 100);
            Assert.Equal(Enumerable.Range(0, kept).Select(i => $"{shard}{i}"), records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        }

        for (var i = 0; i < Batches; i++)
        {
            var value = await engine.GetAsync("s", $"k{i}");
            Assert.Equal(i < kept ? $"v{i}" : null, value is null ? null : Encoding.UTF8.GetString(value));
        }

        Assert.Equal(kept == 0 ? null : kept, await engine.GetCommittedAsync("a", "c"));
    }

    private void Truncate(long length)
    {
        using var stream = new FileStream(_directory.SegmentFiles().Single(), FileMode.Open);
        stream.SetLength(length);
    }

    private void FlipByte(long position)
    {
        using var stream = new FileStream(_directory.SegmentFiles().Single(), FileMode.Open);
        stream.Position = position;
        var b = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(b ^ 0x5A));
    }
}
