namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>The will of a hand-written CONNECT.</summary>
public sealed record RawWill(string Topic, string Payload, byte QoS = 0, bool Retain = false, uint DelaySeconds = 0);
