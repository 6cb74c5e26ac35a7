namespace RobustMq.Storage;

/// <summary>The in-memory backends' answer to <see cref="IStorageEngine.ListCommittedAsync"/>: a shard's commits in UTF-8 byte order of the consumer names.</summary>
internal static class ConsumerOffsets
{
    public static readonly IReadOnlyList<ConsumerOffset> None = [];

    public static IReadOnlyList<ConsumerOffset> Sorted(Dictionary<string, long> committed)
    {
        var list = new List<ConsumerOffset>(committed.Count);
        foreach (var (consumer, offset) in committed)
        {
            list.Add(new ConsumerOffset(consumer, offset));
        }

        list.Sort(static (a, b) => KeyOrder.Utf8.Compare(a.Consumer, b.Consumer));
        return list;
    }
}
