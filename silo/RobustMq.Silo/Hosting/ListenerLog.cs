using System.Net;
using RobustMq.Gateway.Listeners;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// Once every listener is bound (after all hosted services started, before "Application started"), one line per
/// listener with its protocol: what a client or operator would type to reach it. Kestrel's own "Now listening on:
/// http://..." lines are dropped (Logging/FalseLogLines.cs): they call the MQTT WebSocket and TLS ports http.
/// </summary>
internal sealed class ListenerLog(IServiceProvider services, ClusterOptions cluster, AdminOptions admin, ListenerOptions listeners) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupLog.Category);
        if (listeners.Tcp.Enabled)
        {
            var bound = services.GetRequiredService<TcpSocketListener>().LocalEndPoint?.ToString() ?? Format(listeners.Tcp.Address, listeners.Tcp.Port);
            StartupLog.Listening(log, $"mqtt://{bound}", "MQTT", "Listeners:Tcp:Port");
        }

        if (listeners.WebSocket.Enabled)
        {
            StartupLog.Listening(log, $"ws://{Format(listeners.WebSocket.Address, listeners.WebSocket.Port)}{listeners.WebSocket.Path}", "MQTT over WebSocket", "Listeners:WebSocket:Port");
        }

        if (listeners.Tls.Enabled)
        {
            StartupLog.Listening(log, $"mqtts://{Format(listeners.Tls.Address, listeners.Tls.Port)}", "MQTT over TLS", "Listeners:Tls:Port");
        }

        if (listeners.Wss.Enabled)
        {
            StartupLog.Listening(log, $"wss://{Format(listeners.Wss.Address, listeners.Wss.Port)}{listeners.Wss.Path}", "MQTT over secure WebSocket", "Listeners:Wss:Port");
        }

        if (admin.Enabled)
        {
            StartupLog.Listening(log, $"http://{Format(admin.Address, admin.Port)}", "admin API and /metrics", "Admin:Port");
        }

        StartupLog.Listening(log, $"tcp://{Format(cluster.SiloAddress().ToString(), cluster.SiloPort)}", "Orleans silo-to-silo", "Cluster:SiloPort");
        StartupLog.Listening(log, $"tcp://{Format(cluster.SiloAddress().ToString(), cluster.GatewayPort)}", "Orleans clients", "Cluster:GatewayPort");
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Format(string address, int port) => new IPEndPoint(IPAddress.Parse(address), port).ToString();
}
