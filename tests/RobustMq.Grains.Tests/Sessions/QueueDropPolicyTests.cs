using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Sessions;

namespace RobustMq.Grains.Tests.Sessions;

/// <summary>
/// A full session queue makes room by its drop policy: the oldest QoS 0 message first, then a new QoS 0 message, then
/// the oldest message not in flight; a delivery that started (it has a packet id) is never dropped.
/// </summary>
public sealed class QueueDropPolicyTests
{
    private static readonly MqttOptions Options = new() { MaxQueuedMessages = 3 };

    [Fact]
    public void Below_the_limit_nothing_is_dropped()
    {
        var state = new SessionState();

        Assert.Null(state.Add(Message("a", 1), Options));
        Assert.Null(state.Add(Message("b", 0), Options));

        Assert.Equal(["a", "b"], Topics(state));
    }

    [Fact]
    public void A_full_queue_of_qos1_messages_drops_the_oldest_for_a_new_one()
    {
        var state = Full(Message("a", 1), Message("b", 1), Message("c", 1));

        var dropped = state.Add(Message("d", 1), Options);

        Assert.Equal("a", dropped?.Message.Topic);
        Assert.Equal(["b", "c", "d"], Topics(state));
    }

    [Fact]
    public void A_queued_qos0_message_goes_before_any_older_qos1_message()
    {
        var state = Full(Message("a", 1), Message("b", 0), Message("c", 1));

        var dropped = state.Add(Message("d", 2), Options);

        Assert.Equal("b", dropped?.Message.Topic);
        Assert.Equal(["a", "c", "d"], Topics(state));
    }

    [Fact]
    public void A_new_qos0_message_is_dropped_when_no_queued_message_is_qos0()
    {
        var state = Full(Message("a", 1), Message("b", 2), Message("c", 1));

        var dropped = state.Add(Message("d", 0), Options);

        Assert.Equal("d", dropped?.Message.Topic);
        Assert.Equal(["a", "b", "c"], Topics(state));
    }

    [Fact]
    public void A_message_in_flight_is_never_dropped()
    {
        var state = Full(Message("a", 1, packetId: 7), Message("b", 1), Message("c", 1));

        var dropped = state.Add(Message("d", 1), Options);

        Assert.Equal("b", dropped?.Message.Topic);
        Assert.Equal(["a", "c", "d"], Topics(state));
    }

    [Fact]
    public void When_every_queued_message_is_in_flight_the_new_one_is_dropped()
    {
        var state = Full(Message("a", 1, packetId: 1), Message("b", 2, packetId: 2), Message("c", 1, packetId: 3));

        var dropped = state.Add(Message("d", 1), Options);

        Assert.Equal("d", dropped?.Message.Topic);
        Assert.Equal(["a", "b", "c"], Topics(state));
    }

    private static SessionState Full(params PendingMessage[] messages)
    {
        var state = new SessionState();
        foreach (var message in messages)
        {
            Assert.Null(state.Add(message, Options));
        }

        return state;
    }

    private static PendingMessage Message(string topic, byte qos, ushort packetId = 0) =>
        new(new BrokerMessage(topic, new byte[] { 1 }, qos, false), qos, false, null, packetId);

    private static string[] Topics(SessionState state) => [.. state.Queue.Select(m => m.Message.Topic)];
}
