namespace RobustMq.Protocol.Packets;

/// <summary>One topic filter of a SUBSCRIBE with its subscription options (3.8.3.1).</summary>
public sealed record TopicSubscription(
    string Filter,
    QoS QoS,
    bool NoLocal = false,
    bool RetainAsPublished = false,
    RetainHandling RetainHandling = RetainHandling.SendAtSubscribe);

/// <summary>Retain Handling subscription option.</summary>
public enum RetainHandling : byte
{
    SendAtSubscribe = 0,
    SendAtSubscribeIfNew = 1,
    DoNotSend = 2,
}
