using RobustMq.Abstractions.Listing;

namespace RobustMq.Silo.Admin;

/// <summary>
/// How the admin API's lists are paged and sorted: <c>page</c> (from 1) and <c>limit</c> (1-1000, default 100) as
/// <see cref="ApiV1.Paging"/> takes them, and optional <c>sort</c> (a field of the items) and <c>order</c>
/// (<c>asc</c>, the default, or <c>desc</c>). Answers <c>{"data": [...], "meta": {"page", "limit", "count", "hasnext"}}</c>.
/// </summary>
internal static class AdminLists
{
    /// <summary>
    /// 400 for a paging out of range: <c>PAGE_TOO_DEEP</c> when page x limit is over <see cref="ApiV1.MaxDepth"/> (the
    /// shards would each answer that many rows), <c>BAD_REQUEST</c> for a page under 1 or a limit out of 1-1000.
    /// </summary>
    /// <param name="page">The page asked for (null: 1).</param>
    /// <param name="limit">The limit asked for (null: the default).</param>
    /// <param name="filters">The list's filters, named in the message of <c>PAGE_TOO_DEEP</c>.</param>
    public static IResult BadPaging(int? page, int? limit, string filters = "its filters")
    {
        var (p, l) = (page ?? 1, limit ?? ApiV1.DefaultLimit);
        return p >= 1 && l is >= 1 and <= ApiV1.MaxLimit
            ? ApiV1.Error(StatusCodes.Status400BadRequest, "PAGE_TOO_DEEP",
                $"page x limit is at most {ApiV1.MaxDepth} (got {(long)p * l}): narrow the listing with {filters}")
            : ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"page is 1 or more and limit 1-{ApiV1.MaxLimit}");
    }

    /// <summary>400 for a <c>sort</c> or <c>order</c> the list does not take.</summary>
    public static IResult BadSort(IEnumerable<string> fields) =>
        ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"sort is one of {string.Join(", ", fields)}; order is asc or desc");

    /// <summary>
    /// The sort key of <paramref name="keys"/> that <paramref name="sort"/> names (null or empty: the first) and whether
    /// <paramref name="order"/> runs down; null when the sort or order is not known.
    /// </summary>
    public static (TKey Key, bool Descending)? SortOf<TKey>(string? sort, string? order, IReadOnlyDictionary<string, TKey> keys)
    {
        var descending = order?.ToLowerInvariant() switch
        {
            null or "" or "asc" => false,
            "desc" => true,
            _ => (bool?)null,
        };
        if (descending is null)
        {
            return null;
        }

        if (sort is not { Length: > 0 })
        {
            return (keys.First().Value, descending.Value);
        }

        return keys.TryGetValue(sort, out var key) ? (key, descending.Value) : null;
    }

    /// <summary>
    /// <paramref name="items"/> sorted by <paramref name="sort"/> (a key of <paramref name="keys"/>; null: the first) in
    /// <paramref name="order"/>, then by the first key; null when the sort or order is not known.
    /// </summary>
    public static List<T>? Sorted<T>(IEnumerable<T> items, string? sort, string? order, IReadOnlyDictionary<string, Func<T, IComparable?>> keys)
    {
        var descending = order?.ToLowerInvariant() switch
        {
            null or "" or "asc" => false,
            "desc" => true,
            _ => (bool?)null,
        };
        var first = keys.First().Value;
        if (descending is null || (sort is { Length: > 0 } && !keys.ContainsKey(sort)))
        {
            return null;
        }

        var key = sort is { Length: > 0 } ? keys[sort] : first;
        var sorted = descending.Value ? items.OrderByDescending(key, Comparer.Instance) : items.OrderBy(key, Comparer.Instance);
        return [.. sorted.ThenBy(first, Comparer.Instance)];
    }

    /// <summary>The page of <paramref name="items"/> (already filtered and sorted).</summary>
    public static List<T> Page<T>(IEnumerable<T> items, (int Page, int Limit) paging) =>
        [.. items.Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit)];

    /// <summary>Whether rows follow the page: <c>meta.hasnext</c> (EMQX's name).</summary>
    public static bool HasNext((int Page, int Limit) paging, long count) => (long)paging.Page * paging.Limit < count;

    /// <summary>A list's answer: <c>{"data", "meta": {"page", "limit", "count", "hasnext"}}</c>, and <c>nodes_not_answering</c> when the list asked the nodes.</summary>
    public static IResult Answer<T>(IEnumerable<T> data, (int Page, int Limit) paging, long count, int? nodesNotAnswering = null)
    {
        var meta = new { page = paging.Page, limit = paging.Limit, count, hasnext = HasNext(paging, count) };
        return nodesNotAnswering is { } failed ? Results.Ok(new { data, meta, nodes_not_answering = failed }) : Results.Ok(new { data, meta });
    }

    /// <summary>Substring, ordinal, case-insensitive; a null or empty part matches anything (<see cref="ShardRows.Has"/>).</summary>
    public static bool Has(string? value, string? part) => ShardRows.Has(value, part);

    /// <summary>
    /// Runs <paramref name="action"/>; a cluster table that cannot be read, a grain call or wait that timed out
    /// (<see cref="TimeoutException"/>) or failed in Orleans (<see cref="OrleansException"/>: silo gone, activation
    /// failed) gives 503 (<c>SHARDS_NOT_ANSWERING</c>, <c>CLUSTER_UNAVAILABLE</c>), not 500; the store's failures as
    /// <see cref="ApiV1.Guard"/> says.
    /// </summary>
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await ApiV1.Guard(action);
        }
        catch (ShardsNotAnsweringException ex)
        {
            return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "SHARDS_NOT_ANSWERING", ex.Message);
        }
        catch (TimeoutException ex)
        {
            return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "CLUSTER_UNAVAILABLE", "the cluster did not answer in time: " + ex.Message);
        }
        catch (OrleansException ex)
        {
            return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "CLUSTER_UNAVAILABLE", "the cluster could not answer: " + ex.Message);
        }
    }

    /// <summary>Strings ordinal, nulls first, other values by their own order.</summary>
    private sealed class Comparer : IComparer<IComparable?>
    {
        public static readonly Comparer Instance = new();

        public int Compare(IComparable? x, IComparable? y) => (x, y) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (string a, string b) => string.CompareOrdinal(a, b),
            _ => x.CompareTo(y),
        };
    }
}
