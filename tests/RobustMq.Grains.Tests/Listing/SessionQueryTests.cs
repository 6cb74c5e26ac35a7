using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Listing;

/// <summary>The session-directory and retained shards' answers to the admin API's lists: filtered, sorted, cut and counted.</summary>
public sealed class SessionQueryTests
{
    private static readonly SessionDirectoryEntry[] Entries =
    [
        new("dev-b", "n2", true), new("dev-a", null, true), new("x", "n1", false), new("dev-c", "n1", false), new("DEV-d", null, true),
    ];

    [Fact]
    public void A_directory_shard_sorts_by_node_with_stored_sessions_first_then_client_id_and_cuts()
    {
        var page = new SessionQuery(3, "dev-", Sort: SessionSort.Node).Answer(Entries);

        Assert.Equal(4, page.Matched);
        Assert.Equal(["DEV-d", "dev-a", "dev-c"], page.Entries.Select(e => e.ClientId));
    }

    [Fact]
    public void Down_by_node_puts_stored_sessions_last_and_ties_stay_by_client_id_up()
    {
        var page = new SessionQuery(5, "dev-", Sort: SessionSort.Node, Descending: true).Answer(Entries);

        Assert.Equal(["dev-b", "dev-c", "DEV-d", "dev-a"], page.Entries.Select(e => e.ClientId));
    }

    [Fact]
    public void Only_ids_a_connection_holds_are_the_candidates_for_connected_and_take_0_only_counts()
    {
        var page = new SessionQuery(0, HeldByConnection: true).Answer(Entries);

        Assert.Equal(3, page.Matched);
        Assert.Empty(page.Entries);
    }

    [Fact]
    public void A_retained_shard_answers_the_first_topics_that_hold_the_part_and_counts_them_all()
    {
        BrokerMessage[] matched = [new("s/b", ReadOnlyMemory<byte>.Empty, 0, true), new("s/A", ReadOnlyMemory<byte>.Empty, 0, true), new("t", ReadOnlyMemory<byte>.Empty, 0, true), new("s/a", ReadOnlyMemory<byte>.Empty, 0, true)];

        var page = new RetainedQuery("#", "S/", 2).Answer(matched);

        Assert.Equal(3, page.Matched);
        Assert.Equal(["s/A", "s/a"], page.Messages.Select(m => m.Topic));
    }
}
