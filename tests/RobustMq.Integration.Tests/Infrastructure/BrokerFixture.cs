using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using RobustMq.Silo.Hosting;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// One embedded broker (a real silo with real Kestrel listeners) on free loopback ports, shared by the
/// tests of a class. Extra configuration can be given by subclasses.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private const int StartAttempts = 3;

    private WebApplication? _app;

    public int MqttPort { get; private set; } = FreePorts.Next();
    public int WebSocketPort { get; private set; } = FreePorts.Next();
    public int AdminPort { get; private set; } = FreePorts.Next();
    public int SiloPort { get; private set; } = FreePorts.Next();
    public int GatewayPort { get; private set; } = FreePorts.Next();

    public IServiceProvider Services => _app!.Services;

    /// <summary>This broker's own Storage:Path, deleted when the fixture is disposed.</summary>
    public string DataPath { get; } = Directory.CreateTempSubdirectory("robustmq-data-").FullName;

    protected virtual IEnumerable<string> ExtraArguments => [];

    public virtual async Task InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (Exception ex) when (attempt < StartAttempts && IsAddressInUse(ex))
            {
                // Another process took one of the ports between the check and the bind: new ports, new broker.
                await AbandonAsync();
                MqttPort = FreePorts.Next();
                WebSocketPort = FreePorts.Next();
                AdminPort = FreePorts.Next();
                SiloPort = FreePorts.Next();
                GatewayPort = FreePorts.Next();
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(DataPath, recursive: true);
    }

    private async Task StartAsync()
    {
        string[] args =
        [
            "--Listeners:Tcp:Address=127.0.0.1", $"--Listeners:Tcp:Port={MqttPort}",
            "--Listeners:WebSocket:Address=127.0.0.1", $"--Listeners:WebSocket:Port={WebSocketPort}",
            "--Admin:Address=127.0.0.1", $"--Admin:Port={AdminPort}",
            $"--Cluster:SiloPort={SiloPort}", $"--Cluster:GatewayPort={GatewayPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Sys:IntervalSeconds=1",
            $"--Storage:Path={DataPath}",
            .. ExtraArguments,
        ];
        _app = BrokerHost.Create(args);
        await _app.StartAsync();
    }

    private async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        var app = _app;
        _app = null;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(cts.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private async Task AbandonAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // A host that failed to start may not stop cleanly either; it is dropped.
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
