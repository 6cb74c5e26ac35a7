using RobustMq.Storage.Segment;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>Option checks name the configuration key and the value.</summary>
public sealed class SegmentStorageOptionsTests
{
    [Fact]
    public void A_segment_size_out_of_range_is_refused_naming_the_key()
    {
        var refused = Assert.Throws<ArgumentException>(() => new SegmentStorageOptions { SegmentBytes = 100 }.Validate());

        Assert.Contains("Storage:Segment:SegmentBytes must be 4096-1073741824 (got 100)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Volatile_sync_is_refused_because_the_log_is_durable()
    {
        var refused = Assert.Throws<ArgumentException>(() => new SegmentStorageOptions { Sync = StorageSync.Volatile }.Validate());

        Assert.Contains("Storage:Sync", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        var options = new SegmentStorageOptions();

        options.Validate();

        Assert.Equal((StorageSync.Always, 64L * 1024 * 1024), (options.Sync, options.SegmentBytes));
    }
}
