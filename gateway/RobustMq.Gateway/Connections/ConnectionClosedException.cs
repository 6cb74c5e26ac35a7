namespace RobustMq.Gateway.Connections;

/// <summary>The connection closed before it ran what an operator asked of it on its client's behalf (<see cref="MqttConnection.SubscribeOnBehalf"/>).</summary>
public sealed class ConnectionClosedException() : InvalidOperationException("the connection closed");
