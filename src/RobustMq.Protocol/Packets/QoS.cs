namespace RobustMq.Protocol.Packets;

/// <summary>Quality of service level.</summary>
public enum QoS : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}
