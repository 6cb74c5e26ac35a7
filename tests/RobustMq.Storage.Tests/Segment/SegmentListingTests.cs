namespace RobustMq.Storage.Tests.Segment;

/// <summary>The segment files a shard's kept records lie in, as the admin API lists them.</summary>
public sealed class SegmentListingTests : IDisposable
{
    private readonly TempLogDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_shard_lists_each_segment_holding_its_kept_records_with_their_offsets_sizes_and_times()
    {
        await using var engine = await _directory.OpenAsync(segmentBytes: 4096);
        for (var i = 0; i < 100; i++)
        {
            await engine.WriteAsync(new StorageBatch().Append("r", new byte[100], 1000 + i).Append("other", new byte[10], 1));
        }

        await engine.WriteAsync(new StorageBatch().TrimBefore("r", 10));

        var segments = engine.ListSegments("r");

        var files = _directory.SegmentFiles();
        Assert.True(segments.Count > 1, $"expected several segments, got {segments.Count}");
        Assert.Equal(10, segments[0].BaseOffset);
        Assert.Equal(1010, segments[0].FirstTimestampUnixMs);
        Assert.Equal(99, segments[^1].LastOffset);
        Assert.Equal(1099, segments[^1].LastTimestampUnixMs);
        Assert.Equal(90, segments.Sum(s => s.Records));
        Assert.Equal(9000, segments.Sum(s => s.Bytes));
        Assert.All(segments.Zip(segments.Skip(1)), pair => Assert.Equal(pair.First.LastOffset + 1, pair.Second.BaseOffset));
        Assert.All(segments, s => Assert.Equal(s.LastOffset - s.BaseOffset + 1, s.Records));
        Assert.All(segments, s => Assert.Equal(new FileInfo(files.Single(f => Path.GetFileName(f) == s.FileName)).Length, s.FileBytes));
        Assert.Equal([true], segments.Where(s => s.Active).Select(s => s.FileName == Path.GetFileName(files[^1])));
        Assert.Empty(engine.ListSegments("never"));
    }
}
