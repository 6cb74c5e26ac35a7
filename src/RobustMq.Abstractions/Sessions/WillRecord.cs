using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Sessions;

/// <summary>A client's will message with its delay interval in seconds (MQTT 5; 0 for 3.1.x).</summary>
[GenerateSerializer, Immutable, Alias("robustmq.will.v1")]
public sealed record WillRecord([property: Id(0)] BrokerMessage Message, [property: Id(1)] uint DelaySeconds);
