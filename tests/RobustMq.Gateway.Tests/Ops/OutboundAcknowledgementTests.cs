using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Tests.Connections;

namespace RobustMq.Gateway.Tests.Ops;

/// <summary>What slow subscriptions read when a delivery is acknowledged: its topic and arrival, past PUBREC too.</summary>
public sealed class OutboundAcknowledgementTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_acknowledgement_gives_the_topic_and_arrival_of_the_delivery(byte qos)
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Release();
        queue.EnqueueDelivery(new PendingMessage(new BrokerMessage("s/t", new byte[1], qos, false, ArrivedAtUnixMs: 1234), qos, false, null));
        var batch = new List<OutItem>();
        queue.Drain(batch, 0);
        var id = queue.Admit();
        if (qos == 2)
        {
            // PUBREC: the message is let go, its topic and arrival stay for PUBCOMP.
            Assert.True(queue.Received(id, out _));
        }

        Assert.True(queue.Complete(id, out _, out var acknowledged));
        Assert.Equal(("s/t", 1234L), (acknowledged.Topic, acknowledged.ArrivedAtUnixMs));
    }

    [Fact]
    public void A_retained_delivery_is_not_measured()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Release();
        queue.EnqueueDelivery(new PendingMessage(new BrokerMessage("s/t", new byte[1], 1, true, ArrivedAtUnixMs: 1234), 1, RetainFlag: true, null));
        queue.Drain(new List<OutItem>(), 0);
        var id = queue.Admit();

        Assert.True(queue.Complete(id, out _, out var acknowledged));
        Assert.Equal((null, 0L), (acknowledged.Topic, acknowledged.ArrivedAtUnixMs));
    }
}
