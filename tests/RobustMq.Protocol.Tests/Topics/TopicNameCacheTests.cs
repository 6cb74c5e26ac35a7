using System.Buffers;
using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicNameCacheTests
{
    [Fact]
    public void A_topic_seen_again_returns_the_same_string()
    {
        var cache = new TopicNameCache();

        var first = cache.Get("a/b"u8);
        var second = cache.Get("a/b"u8.ToArray().AsSpan());

        Assert.Equal("a/b", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Different_topics_never_share_a_string()
    {
        var cache = new TopicNameCache();
        var names = Enumerable.Range(0, 10).Select(i => cache.Get(System.Text.Encoding.UTF8.GetBytes($"t/{i}"))).ToList();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"t/{i}"), names);
        Assert.Equal("t/3", cache.Get("t/3"u8));
        Assert.Equal("t/9", cache.Get("t/9"u8));
    }

    [Fact]
    public void A_topic_split_across_segments_is_decoded_whole()
    {
        var cache = new TopicNameCache();
        var split = RobustMq.Protocol.Tests.Codec.Support.SegmentedSequence.Create("héllo/wörld"u8.ToArray(), [2, 7]);

        Assert.Equal("héllo/wörld", cache.Get(split));
        Assert.Same(cache.Get(split), cache.Get("héllo/wörld"u8));
    }

    [Fact]
    public void A_repeated_topic_allocates_nothing()
    {
        var cache = new TopicNameCache();
        var topic = new ReadOnlySequence<byte>("site/7/device/12/telemetry"u8.ToArray());
        var length = 0;
        for (var i = 0; i < 10; i++)
        {
            length += cache.Get(topic).Length;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            length += cache.Get(topic).Length;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"1000 lookups of a cached topic allocated {allocated} bytes ({length})");
    }
}
