using RobustMq.Gateway.Ops;

namespace RobustMq.Gateway.Tests.Ops;

public sealed class SlowSubsTopKTests
{
    [Fact]
    public void The_slowest_pairs_are_kept_worst_first_and_a_faster_newcomer_does_not_displace_them()
    {
        var top = new SlowSubsTopK(capacity: 2, windowMs: 10_000);
        top.Record("a", "t", 600, 1_000);
        top.Record("b", "t", 900, 1_000);
        top.Record("c", "t", 550, 1_000);
        top.Record("d", "t", 700, 1_000);

        var list = top.Snapshot(1_000);

        Assert.Equal(["b", "d"], list.Select(s => s.ClientId));
        Assert.Equal([900L, 700L], list.Select(s => s.TimespanMs));
    }

    [Fact]
    public void A_pair_keeps_its_slowest_delivery_and_its_last_update()
    {
        var top = new SlowSubsTopK(10, 10_000);
        top.Record("a", "t", 800, 1_000);
        top.Record("a", "t", 600, 2_000);

        var only = Assert.Single(top.Snapshot(2_000));

        Assert.Equal(800, only.TimespanMs);
        Assert.Equal(2_000, only.LastUpdateUnixMs);
    }

    [Fact]
    public void A_pair_not_slow_again_within_the_window_is_forgotten()
    {
        var top = new SlowSubsTopK(10, 5_000);
        top.Record("a", "t", 800, 1_000);
        top.Record("b", "t", 700, 4_000);

        Assert.Equal(["b"], top.Snapshot(6_500).Select(s => s.ClientId));
    }

    [Fact]
    public void The_floor_is_the_least_slow_kept_once_k_are_kept_and_a_delivery_no_slower_changes_nothing()
    {
        var top = new SlowSubsTopK(capacity: 2, windowMs: 10_000);
        top.Record("a", "t", 600, 1_000);
        Assert.Equal(0, top.Floor);
        top.Record("b", "t", 900, 1_000);
        Assert.Equal(600, top.Floor);

        // A kept pair no slower than the floor is not touched (its last update stays), as in EMQX.
        top.Record("a", "t", 600, 5_000);
        top.Record("c", "t", 700, 5_000);

        Assert.Equal(700, top.Floor);
        Assert.Equal([("b", 900L), ("c", 700L)], top.Snapshot(5_000).Select(s => (s.ClientId, s.TimespanMs)));
    }

    [Fact]
    public void Expiring_frees_room_and_lowers_the_floor_without_a_record()
    {
        var top = new SlowSubsTopK(capacity: 2, windowMs: 5_000);
        top.Record("a", "t", 800, 1_000);
        top.Record("b", "t", 700, 4_000);

        top.Expire(6_500);

        Assert.Equal(1, top.Count);
        Assert.Equal(0, top.Floor);
    }
}
