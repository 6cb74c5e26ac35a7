using RobustMq.Abstractions.Listing;

namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// A page's worth of the session directory from one shard (<see cref="ISessionDirectoryGrain.Query"/>), as
/// <c>GET /api/v1/sessions</c> lists it: the entries the filters select, in <see cref="Order"/>, the first
/// <see cref="Take"/> of them (<see cref="ShardRows"/>).
/// </summary>
/// <param name="Take">How many entries to answer at most (the page's last row number, page x limit; 0: only count).</param>
/// <param name="ClientId">A substring of the client id (ordinal, any case); null: any.</param>
/// <param name="HeldByConnection">Only ids a connection holds (<see cref="SessionDirectoryEntry.Node"/> set): the
/// candidates for <c>connected=true</c>, which the node of each then confirms.</param>
/// <param name="Sort">The sort key.</param>
/// <param name="Descending">Whether <see cref="Sort"/> runs down (ties still by client id, up).</param>
[GenerateSerializer, Immutable, Alias("robustmq.sessionquery.v1")]
public sealed record SessionQuery(
    [property: Id(0)] int Take,
    [property: Id(1)] string? ClientId = null,
    [property: Id(2)] bool HeldByConnection = false,
    [property: Id(3)] SessionSort Sort = SessionSort.ClientId,
    [property: Id(4)] bool Descending = false)
{
    /// <summary>The order: <see cref="Sort"/> (<see cref="Descending"/>; strings ordinal, null first when up), then client id up.</summary>
    public IComparer<SessionDirectoryEntry> Order => Comparer<SessionDirectoryEntry>.Create(Compare);

    /// <summary>Whether the filters select <paramref name="entry"/>.</summary>
    public bool Selects(SessionDirectoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ShardRows.Has(entry.ClientId, ClientId) && (!HeldByConnection || entry.Node is not null);
    }

    /// <summary>The shard's answer from its <paramref name="entries"/>: those selected, counted, the first <see cref="Take"/> sorted.</summary>
    public SessionPage Answer(IEnumerable<SessionDirectoryEntry> entries)
    {
        var (matched, top) = ShardRows.Top(entries.Where(Selects), Order, Take);
        return new SessionPage(matched, top);
    }

    private int Compare(SessionDirectoryEntry? a, SessionDirectoryEntry? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var c = Sort == SessionSort.Node ? string.CompareOrdinal(a.Node, b.Node) : string.CompareOrdinal(a.ClientId, b.ClientId);
        if (c != 0)
        {
            return Descending ? -c : c;
        }

        return string.CompareOrdinal(a.ClientId, b.ClientId);
    }
}
