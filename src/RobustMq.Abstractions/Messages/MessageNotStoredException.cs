namespace RobustMq.Abstractions.Messages;

/// <summary>
/// A publish the broker could not store (a retained message, or a copy for a persistent session, whose write failed):
/// it must not be acknowledged as accepted. On MQTT 5 the PUBACK/PUBREC carries 0x97 (<see cref="StoreOutcome.Full"/>)
/// or 0x80; on MQTT 3.1.x, which has no failure acknowledgement, the connection is closed without one. Crosses grain
/// calls with its <see cref="Outcome"/>.
/// </summary>
[GenerateSerializer, Alias("robustmq.notstored.v1")]
public sealed class MessageNotStoredException : Exception
{
    public MessageNotStoredException()
    {
    }

    public MessageNotStoredException(string message)
        : base(message)
    {
    }

    public MessageNotStoredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MessageNotStoredException(string topic, StoreOutcome outcome)
        : base($"the message to '{topic}' was not stored ({outcome})")
    {
        Outcome = outcome;
    }

    [Id(0)]
    public StoreOutcome Outcome { get; private set; } = StoreOutcome.Unavailable;
}
