using Microsoft.AspNetCore.Connections;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Listeners;

/// <summary>Kestrel's entry for MQTT over TLS: one <see cref="MqttConnection"/> per connection (plain TCP: <see cref="TcpSocketListener"/>).</summary>
public sealed class MqttConnectionHandler(ConnectionServices services) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        if (!services.Limit.TryAcquire())
        {
            // Listeners:MaxConnections are open: closed before CONNECT.
            connection.Abort();
            return;
        }

        try
        {
            var mqtt = new MqttConnection(connection.Transport, connection.RemoteEndPoint?.ToString(), connection.Abort, services);
            await mqtt.RunAsync();
        }
        finally
        {
            services.Limit.Release();
        }
    }
}
