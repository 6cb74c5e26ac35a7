using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Shared;

/// <summary>
/// Handing a shared message on ends: never back to a member it came from, at most <see cref="IMessageRouter.MaxHandOns"/>
/// times, and a member that cannot take it costs that message only (each counted as dropped).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedHandOnBoundTests(ClusterFixture cluster)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_shared_message_between_two_members_without_sessions_is_dropped_once_instead_of_passed_back_and_forth()
    {
        // Both members' sessions are gone, their routes are not (their removal timed out).
        var stale = new[] { StaleRoute("handon/bounce", "bounce-a", "hb", silo: 0), StaleRoute("handon/bounce", "bounce-b", "hb", silo: 1) };
        cluster.ApplyToEveryCache(add: true, stale);
        try
        {
            var before = cluster.Dropped(DropReasons.NoSubscribers);

            var enqueue = cluster.Client.GetGrain<ISessionGrain>("bounce-a").Enqueue([Shared("handon/bounce", "ping", "hb")]);

            await Within(enqueue, "Enqueue to bounce-a (no session) handing on to bounce-b (no session)");
            Assert.Equal(1, cluster.Dropped(DropReasons.NoSubscribers) - before);
        }
        finally
        {
            cluster.ApplyToEveryCache(add: false, stale);
        }
    }

    [Fact]
    public async Task A_shared_message_already_handed_on_the_maximum_number_of_times_is_dropped_as_hand_on_limit()
    {
        var member = cluster.NewClient("handon-limit-b");
        await member.ConnectAsync(silo: 1);
        await member.SubscribeAsync("$share/hl/handon/limit");
        await member.DisconnectAsync();
        var before = cluster.Dropped(DropReasons.HandOnLimit);
        var owed = Shared("handon/limit", "worn", "hl") with { HandedOnFrom = ["handon-limit-x", "handon-limit-y", "handon-limit-z"] };
        Assert.Equal(IMessageRouter.MaxHandOns, owed.HandOns);

        var handedOn = await cluster.Router(0).HandOnOwedAsync("handon-limit-a", [owed]);

        Assert.Equal(0, handedOn);
        Assert.Equal(1, cluster.Dropped(DropReasons.HandOnLimit) - before);
        Assert.Equal(0, (await member.Session.GetInfo()).QueuedMessages);
    }

    [Fact]
    public async Task A_member_whose_session_cannot_take_a_handed_on_message_costs_that_message_only()
    {
        // An Enqueue to handon-fail-x's session fails (as a call to a silo that died does).
        using var broken = EnqueueHold.Fail("handon-fail-x");
        var stale = StaleRoute("handon/fail", "handon-fail-x", "hf1", silo: 0);
        cluster.ApplyToEveryCache(add: true, stale);
        var healthy = cluster.NewClient("handon-fail-b");
        await healthy.ConnectAsync(silo: 1);
        await healthy.SubscribeAsync("$share/hf2/handon/fail");
        await healthy.DisconnectAsync();
        try
        {
            var before = cluster.Dropped(DropReasons.NodeUnreachable);

            var handedOn = await cluster.Router(0).HandOnOwedAsync(
                "handon-fail-a", [Shared("handon/fail", "to-broken", "hf1"), Shared("handon/fail", "to-healthy", "hf2")]);

            Assert.Equal(1, handedOn);
            Assert.Equal(1, cluster.Dropped(DropReasons.NodeUnreachable) - before);
            var reconnected = await healthy.ConnectAsync(silo: 1, cleanStart: false);
            Assert.Equal(["to-healthy"], Array.ConvertAll(reconnected.Pending, TestMessages.Text));
        }
        finally
        {
            cluster.ApplyToEveryCache(add: false, stale);
        }
    }

    private RouteEntry StaleRoute(string filter, string clientId, string group, int silo) =>
        new(filter, clientId, cluster.Node(silo), QoS: 1, NoLocal: false, RetainAsPublished: false, SubscriptionId: 0, ShareGroup: group);

    private static async Task Within(Task call, string phase)
    {
        try
        {
            await call.WaitAsync(CallTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: not finished after {CallTimeout.TotalSeconds} s, expected it to end (the message dropped or delivered once).");
        }
    }

    private static PendingMessage Shared(string topic, string payload, string group) =>
        TestMessages.Pending(topic, payload) with { ShareGroup = group, ShareFilter = topic };
}
