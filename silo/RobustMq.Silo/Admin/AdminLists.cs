namespace RobustMq.Silo.Admin;

/// <summary>
/// How the admin API's lists are paged and sorted: <c>page</c> (from 1) and <c>limit</c> (1-1000, default 100) as
/// <see cref="ApiV1.Paging"/> takes them, and optional <c>sort</c> (a field of the items) and <c>order</c>
/// (<c>asc</c>, the default, or <c>desc</c>). Answers <c>{"data": [...], "meta": {"page", "limit", "count"}}</c>.
/// </summary>
internal static class AdminLists
{
    /// <summary>400 for a paging out of range.</summary>
    public static IResult BadPaging() =>
        ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "page is 1 or more, limit 1-1000, and page x limit at most 10000 (narrow the listing with its filters)");

    /// <summary>400 for a <c>sort</c> or <c>order</c> the list does not take.</summary>
    public static IResult BadSort(IEnumerable<string> fields) =>
        ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"sort is one of {string.Join(", ", fields)}; order is asc or desc");

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
    public static List<T> Page<T>(List<T> items, (int Page, int Limit) paging) =>
        [.. items.Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit)];

    /// <summary>A list's answer.</summary>
    public static IResult Answer<T>(IEnumerable<T> data, (int Page, int Limit) paging, int count, int? nodesNotAnswering = null) => nodesNotAnswering is { } failed
        ? Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count }, nodes_not_answering = failed })
        : Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count } });

    /// <summary>Substring, ordinal, case-insensitive; a null or empty part matches anything.</summary>
    public static bool Has(string? value, string? part) =>
        part is not { Length: > 0 } || (value is not null && value.Contains(part, StringComparison.OrdinalIgnoreCase));

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
