using Microsoft.AspNetCore.Connections;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Listeners;

/// <summary>Kestrel's entry for MQTT over TLS: one <see cref="MqttConnection"/> per connection (plain TCP: <see cref="TcpSocketListener"/>).</summary>
public sealed class MqttConnectionHandler(ConnectionServices services) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var mqtt = new MqttConnection(connection.Transport, connection.RemoteEndPoint?.ToString(), connection.Abort, services);
        return mqtt.RunAsync();
    }
}
