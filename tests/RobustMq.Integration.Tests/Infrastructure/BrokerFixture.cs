using Microsoft.AspNetCore.Builder;
using RobustMq.Silo.Hosting;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// One embedded broker (a real silo with real Kestrel listeners) on free loopback ports, shared by the
/// tests of a class. Extra configuration can be given by subclasses.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int MqttPort { get; } = FreePorts.Next();
    public int WebSocketPort { get; } = FreePorts.Next();
    public int AdminPort { get; } = FreePorts.Next();
    public int SiloPort { get; } = FreePorts.Next();
    public int GatewayPort { get; } = FreePorts.Next();

    public IServiceProvider Services => _app!.Services;

    protected virtual IEnumerable<string> ExtraArguments => [];

    public virtual async Task InitializeAsync()
    {
        string[] args =
        [
            "--Listeners:Tcp:Address=127.0.0.1", $"--Listeners:Tcp:Port={MqttPort}",
            "--Listeners:WebSocket:Address=127.0.0.1", $"--Listeners:WebSocket:Port={WebSocketPort}",
            "--Admin:Address=127.0.0.1", $"--Admin:Port={AdminPort}",
            $"--Cluster:SiloPort={SiloPort}", $"--Cluster:GatewayPort={GatewayPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Sys:IntervalSeconds=1",
            .. ExtraArguments,
        ];
        _app = BrokerHost.Create(args);
        await _app.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }
    }
}
