namespace RobustMq.Abstractions.Listing;

/// <summary>
/// How a sharded table is listed a page at a time (the admin API's lists): each shard answers the first
/// <c>take</c> rows it matches in the listing's order (<see cref="Top{T}"/>) and how many it matches; the caller merges
/// the shards' sorted answers (<see cref="Merge{T}"/>) and cuts the page. Page <c>p</c> of <c>limit</c> rows needs
/// <c>take = p x limit</c> from every shard: the merged first <c>take</c> rows are the union's first <c>take</c>, as
/// each of them is among its own shard's first <c>take</c>. EMQX pages its cluster-wide lists the same way.
/// </summary>
public static class ShardRows
{
    /// <summary>The lists' substring filter: ordinal, any case; a null or empty <paramref name="part"/> matches anything.</summary>
    public static bool Has(string? value, string? part) =>
        part is not { Length: > 0 } || (value is not null && value.Contains(part, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The first <paramref name="take"/> (0 or more) of <paramref name="rows"/> in <paramref name="order"/>, sorted, and
    /// how many rows there were. O(n log take) time, O(take) memory.
    /// </summary>
    public static (int Matched, T[] Rows) Top<T>(IEnumerable<T> rows, IComparer<T> order, int take)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(order);
        take = Math.Max(0, take);

        // A max-heap of the best `take` so far: its root is the worst kept, dropped when a better row comes.
        var kept = new PriorityQueue<T, T>(Comparer<T>.Create((a, b) => order.Compare(b, a)));
        var matched = 0;
        foreach (var row in rows)
        {
            matched++;
            if (kept.Count < take)
            {
                kept.Enqueue(row, row);
            }
            else if (take > 0 && order.Compare(row, kept.Peek()) < 0)
            {
                kept.DequeueEnqueue(row, row);
            }
        }

        var top = new T[kept.Count];
        for (var i = top.Length - 1; i >= 0; i--)
        {
            top[i] = kept.Dequeue();
        }

        return (matched, top);
    }

    /// <summary>
    /// The rows of <paramref name="pages"/> (each sorted in <paramref name="order"/>) in <paramref name="order"/>: a k-way
    /// merge, read lazily; rows that compare equal come in the order of their pages.
    /// </summary>
    public static IEnumerable<T> Merge<T>(IReadOnlyList<T[]> pages, IComparer<T> order)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(order);
        var heads = new PriorityQueue<(int Page, int Index), (T Row, int Page)>(
            Comparer<(T Row, int Page)>.Create((a, b) => order.Compare(a.Row, b.Row) is var c && c != 0 ? c : a.Page.CompareTo(b.Page)));
        for (var p = 0; p < pages.Count; p++)
        {
            if (pages[p].Length > 0)
            {
                heads.Enqueue((p, 0), (pages[p][0], p));
            }
        }

        while (heads.TryDequeue(out var head, out _))
        {
            var page = pages[head.Page];
            yield return page[head.Index];
            if (head.Index + 1 < page.Length)
            {
                heads.Enqueue((head.Page, head.Index + 1), (page[head.Index + 1], head.Page));
            }
        }
    }
}
