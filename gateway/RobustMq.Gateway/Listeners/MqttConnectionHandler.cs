using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Listeners;

/// <summary>Kestrel's entry for MQTT over TLS: one <see cref="MqttConnection"/> per connection (plain TCP: <see cref="TcpSocketListener"/>).</summary>
public sealed class MqttConnectionHandler(ConnectionServices services, TlsEndpoints tls) : ConnectionHandler
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
            var peer = tls.Tls?.PeerOf(connection.Features.Get<Microsoft.AspNetCore.Http.Features.ITlsConnectionFeature>()?.ClientCertificate);
            var mqtt = new MqttConnection(connection.Transport, connection.RemoteEndPoint?.ToString(), connection.Abort, () => CloseOutputAsync(connection), services, peer);
            await mqtt.RunAsync();
        }
        finally
        {
            services.Limit.Release();
        }
    }

    /// <summary>
    /// Half-close over TLS: close_notify, the end of the stream for the client's TLS layer, sent at once (the TCP
    /// connection itself closes when this handler returns, after the input was drained).
    /// </summary>
    private static async ValueTask CloseOutputAsync(ConnectionContext connection)
    {
        if (connection.Features.Get<ISslStreamFeature>() is { } tls)
        {
            await tls.SslStream.ShutdownAsync();
        }
    }
}
