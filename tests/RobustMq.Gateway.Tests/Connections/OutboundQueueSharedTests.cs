using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Tests.Connections;

/// <summary>What a connection's queue gives up: expired deliveries at send time, and a left shared subscription's unsent ones.</summary>
public sealed class OutboundQueueSharedTests
{
    [Fact]
    public void Expired_deliveries_not_yet_sent_are_discarded_and_counted_at_any_qos()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Release();
        queue.EnqueueDelivery(Message("q0-expired", qos: 0, expiresAt: 1000));
        queue.EnqueueDelivery(Message("q1-expired", qos: 1, expiresAt: 1000));
        queue.EnqueueDelivery(Message("q2-fresh", qos: 2, expiresAt: 5000));
        queue.EnqueueDelivery(Message("q1-never", qos: 1, expiresAt: 0));

        var batch = new List<OutItem>();
        var expired = queue.Drain(batch, nowUnixMs: 1000);
        AdmitAll(queue, batch);

        Assert.Equal(2, expired);
        Assert.Equal(["q2-fresh", "q1-never"], batch.Select(i => i.Delivery!.Message.Topic));
        Assert.Equal(2, queue.InflightCount);
    }

    [Fact]
    public void Leaving_a_shared_subscription_takes_its_unsent_deliveries_and_leaves_those_in_flight()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 10);
        queue.Release();
        queue.EnqueueDelivery(Message("sent", qos: 1, group: "g"));
        var sent = new List<OutItem>();
        queue.Drain(sent, 0);
        AdmitAll(queue, sent);
        queue.EnqueueDelivery(Message("unsent-g", qos: 1, group: "g"));
        queue.EnqueueDelivery(Message("other-group", qos: 1, group: "h"));
        queue.EnqueueDelivery(Message("direct", qos: 1));
        queue.EnqueueDelivery(Message("unsent-g-2", qos: 0, group: "g"));

        var taken = queue.TakeUnsent("g", "t/#");

        Assert.Equal(["unsent-g", "unsent-g-2"], taken.Select(m => m.Message.Topic));
        Assert.Equal(1, queue.InflightCount);
        var (owed, _) = queue.Close();
        Assert.Equal(["sent", "other-group", "direct"], owed.Select(m => m.Message.Topic));
    }

    /// <summary>As the write loop does: each drained first QoS 1/2 send takes its packet id when written.</summary>
    private static void AdmitAll(OutboundQueue queue, List<OutItem> batch)
    {
        foreach (var item in batch)
        {
            if (item.NeedsPacketId)
            {
                Assert.NotEqual(0, queue.Admit());
            }
        }
    }

    private static PendingMessage Message(string topic, byte qos, long expiresAt = 0, string? group = null) =>
        new(new BrokerMessage(topic, new byte[] { 1 }, qos, false, ExpiresAtUnixMs: expiresAt), qos, false, null, 0, group, group is null ? null : "t/#");
}
