using System.Text;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>Builders for the messages the tests hand to grains, and a way to read their payloads back.</summary>
public static class TestMessages
{
    public static BrokerMessage Message(string topic, string payload, byte qos = 1, bool retain = false, long expiresAtUnixMs = 0) =>
        new(topic, Encoding.UTF8.GetBytes(payload), qos, retain, ExpiresAtUnixMs: expiresAtUnixMs);

    public static PendingMessage Pending(string topic, string payload, byte qos = 1, ushort packetId = 0) =>
        new(Message(topic, payload, qos), qos, RetainFlag: false, SubscriptionIds: null, packetId);

    public static string Text(BrokerMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public static string Text(PendingMessage message) => Text(message.Message);
}
