using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Shared;

/// <summary>A session that ends owing a shared subscription's messages hands them to another member (MQTT 5 4.8.2).</summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedHandOnTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_clean_start_over_a_persistent_member_hands_its_shared_messages_to_the_other_member_and_ends_the_rest()
    {
        var memberA = await OfflineMemberAsync("handon-clean-a", "$share/hc/handon/clean", silo: 0);
        var memberB = await OfflineMemberAsync("handon-clean-b", "$share/hc/handon/clean", silo: 1);
        await memberA.ConnectAsync(cleanStart: false);
        await memberA.DisconnectAsync(unacknowledged:
        [
            Shared("handon/clean", "inflight", "hc", packetId: 7),
            Shared("handon/clean", "queued", "hc"),
            TestMessages.Pending("handon/clean", "direct"),
        ]);

        var result = await memberA.ConnectAsync(cleanStart: true);

        Assert.Empty(result.Pending);
        await memberB.WaitForQueuedAsync(2, "hand-on after handon-clean-a's clean start");
        var handedOn = await memberB.ConnectAsync(cleanStart: false);
        Assert.Equal(["inflight", "queued"], Array.ConvertAll(handedOn.Pending, TestMessages.Text));
        Assert.All(handedOn.Pending, p => Assert.Equal(0, p.PacketId));
    }

    [Fact]
    public async Task A_clean_start_returns_its_result_while_the_member_the_old_sessions_messages_go_to_is_slow()
    {
        var memberA = await OfflineMemberAsync("handon-slow-a", "$share/hs/handon/slow", silo: 0);
        var memberB = await OfflineMemberAsync("handon-slow-b", "$share/hs/handon/slow", silo: 1);
        await memberA.ConnectAsync(cleanStart: false);
        await memberA.DisconnectAsync(unacknowledged: [Shared("handon/slow", "owed", "hs", packetId: 3)]);
        ConnectResult result;
        using (EnqueueHold.Hold(memberB.ClientId))
        {
            var connect = memberA.ConnectAsync(cleanStart: true);

            // Before: the result waited for the hand-on, so for the slow member (in the broker, up to the grain-call timeout).
            try
            {
                result = await connect.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("Clean start of handon-slow-a: no result after 10 s while handon-slow-b is held; expected it at once.");
            }
        }

        Assert.Empty(result.Pending);
        await memberB.WaitForQueuedAsync(1, "hand-on to handon-slow-b after it was released");
        var handedOn = await memberB.ConnectAsync(silo: 1, cleanStart: false);
        Assert.Equal(["owed"], Array.ConvertAll(handedOn.Pending, TestMessages.Text));
    }

    [Fact]
    public async Task A_subscribe_after_a_clean_start_does_not_wait_for_the_old_sessions_messages_to_be_handed_on()
    {
        var memberA = await OfflineMemberAsync("handon-sub-a", "$share/hsub/handon/sub", silo: 0);
        var memberB = await OfflineMemberAsync("handon-sub-b", "$share/hsub/handon/sub", silo: 1);
        await memberA.ConnectAsync(cleanStart: false);
        await memberA.DisconnectAsync(unacknowledged: [Shared("handon/sub", "owed", "hsub", packetId: 4)]);
        using (EnqueueHold.Hold(memberB.ClientId))
        {
            await memberA.ConnectAsync(cleanStart: true);

            var subscribe = memberA.SubscribeAsync("handon/sub/again");

            bool[] existed;
            try
            {
                existed = await subscribe.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("SUBSCRIBE of handon-sub-a after its clean start: no result after 10 s while handon-sub-b is held; expected it at once.");
            }

            Assert.Equal([false], existed);
        }

        await memberB.WaitForQueuedAsync(1, "hand-on to handon-sub-b after it was released");
    }

    [Fact]
    public async Task Shared_messages_for_a_session_that_no_longer_exists_go_to_another_member()
    {
        var memberB = await OfflineMemberAsync("handon-gone-b", "$share/hg/handon/gone", silo: 1);
        var gone = cluster.Client.GetGrain<ISessionGrain>("handon-gone-a");

        await gone.Enqueue([Shared("handon/gone", "late", "hg")]);

        var handedOn = await memberB.ConnectAsync(cleanStart: false);
        Assert.Equal(["late"], Array.ConvertAll(handedOn.Pending, TestMessages.Text));
    }

    [Fact]
    public async Task A_member_whose_acl_denies_the_topic_is_passed_over_when_messages_are_handed_on()
    {
        const string filter = "cluster-acl/+/handon";
        var memberA = await OfflineMemberAsync("handon-acl-a", $"$share/ha/{filter}", silo: 0);
        var memberB = cluster.NewClient("handon-acl-b");
        await memberB.ConnectAsync(silo: 1);
        await memberB.SubscribeAsync(new SubscriptionRecord($"$share/ha/{filter}", 1, CheckRead: true));
        await memberB.DisconnectAsync();
        await memberA.ConnectAsync(cleanStart: false);
        await memberA.DisconnectAsync(unacknowledged:
        [
            Shared("cluster-acl/secret/handon", "denied", "ha", filter),
            Shared("cluster-acl/open/handon", "allowed", "ha", filter),
        ]);

        await memberA.ConnectAsync(cleanStart: true);

        await memberB.WaitForQueuedAsync(1, "hand-on after handon-acl-a's clean start");
        var handedOn = await memberB.ConnectAsync(cleanStart: false);
        Assert.Equal(["allowed"], Array.ConvertAll(handedOn.Pending, TestMessages.Text));
    }

    private async Task<TestClient> OfflineMemberAsync(string clientId, string filter, int silo)
    {
        var client = cluster.NewClient(clientId);
        await client.ConnectAsync(silo);
        await client.SubscribeAsync(filter);
        await client.DisconnectAsync();
        return client;
    }

    private static PendingMessage Shared(string topic, string payload, string group, ushort packetId = 0) =>
        Shared(topic, payload, group, topic, packetId);

    private static PendingMessage Shared(string topic, string payload, string group, string filter, ushort packetId = 0) =>
        TestMessages.Pending(topic, payload, packetId: packetId) with { ShareGroup = group, ShareFilter = filter };
}
