using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Connections;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Hosting;

/// <summary>
/// Ends every client connection when the host stops, on every listener (TCP, TLS, WebSocket): MQTT 5 clients get
/// DISCONNECT 0x8B Server shutting down (MQTT 4.13), each session is handed back, and only then do the listeners,
/// Kestrel and the silo stop. Runs in <see cref="StoppingAsync"/>, before any hosted service's StopAsync, so grains
/// still serve the hand-back and Kestrel finds no WebSocket or TLS connection left to wait for.
/// </summary>
public sealed partial class ConnectionShutdown(ConnectionRegistry registry, TimeProvider clock, ILogger<ConnectionShutdown> logger) : IHostedLifecycleService
{
    /// <summary>The longest the connections are given to end (a client that stops reading is cut off after ~5 s anyway).</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(6);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var closed = await registry.CloseAllAsync((byte)ReasonCode.ServerShuttingDown, Grace);
        LogClosed(logger, closed, (long)clock.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Shutting down: closed {Count} client connections in {ElapsedMs} ms")]
    private static partial void LogClosed(ILogger logger, int count, long elapsedMs);
}
