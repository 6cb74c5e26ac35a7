using RobustMq.Abstractions.Messages;

namespace RobustMq.Grains.Tests.Messages;

public sealed class MessageIdsTests
{
    [Fact]
    public async Task Ids_drawn_on_many_threads_at_once_are_distinct_and_never_empty()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 10_000).Select(_ => MessageIds.New()).ToArray())));

        var all = ids.SelectMany(batch => batch).ToList();
        Assert.DoesNotContain(Guid.Empty, all);
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
