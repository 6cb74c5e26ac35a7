using Microsoft.AspNetCore.Http;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Listeners;

/// <summary>Accepts a WebSocket upgrade on the MQTT path and runs an MQTT connection over it.</summary>
public static class WebSocketEndpoint
{
    private static readonly string[] SubProtocols = ["mqtt", "mqttv3.1"];

    /// <param name="tls">The WSS listener's TLS settings (its client certificates), or null for plain WebSocket.</param>
    public static async Task HandleAsync(HttpContext context, ConnectionServices services, TlsEndpoint? tls)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("MQTT over WebSocket: send an upgrade request with sub-protocol \"mqtt\".");
            return;
        }

        string? chosen = null;
        foreach (var requested in context.WebSockets.WebSocketRequestedProtocols)
        {
            if (Array.IndexOf(SubProtocols, requested) >= 0)
            {
                chosen = requested;
                break;
            }
        }

        if (!services.Limit.TryAcquire())
        {
            // Listeners:MaxConnections are open.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(chosen);
            var pipe = new WebSocketPipe(socket);
            var remote = context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : null;
            var mqtt = new MqttConnection(pipe, remote, pipe.Abort, pipe.CloseOutputAsync, services, tls?.PeerOf(context.Connection.ClientCertificate));
            await pipe.RunAsync(mqtt.RunAsync, context.RequestAborted);
        }
        finally
        {
            services.Limit.Release();
        }
    }
}
