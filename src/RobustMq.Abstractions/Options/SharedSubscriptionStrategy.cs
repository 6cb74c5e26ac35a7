namespace RobustMq.Abstractions.Options;

/// <summary>How a shared subscription group picks the member that gets a message.</summary>
public enum SharedSubscriptionStrategy
{
    RoundRobin,
    Random,
    HashClientId,
    HashTopic,
}
