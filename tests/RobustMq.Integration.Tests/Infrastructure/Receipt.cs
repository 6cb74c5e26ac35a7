using MQTTnet;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>One message as received, with the id of the client that received it.</summary>
public sealed record Receipt(string ClientId, MqttApplicationMessage Message);
