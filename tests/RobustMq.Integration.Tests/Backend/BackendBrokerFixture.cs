using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Backend;

/// <summary>A broker plus a backend service: an Orleans client connected to the broker's gateway port.</summary>
public sealed class BackendBrokerFixture : BrokerFixture
{
    private IHost? _client;

    public IClusterClient Cluster => _client!.Services.GetRequiredService<IClusterClient>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _client = new HostBuilder()
            .UseOrleansClient(c => c.UseLocalhostClustering(GatewayPort, serviceId: "robustmq", clusterId: "robustmq"))
            .Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _client.StartAsync(cts.Token);
    }

    public override async Task DisposeAsync()
    {
        if (_client is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _client.StopAsync(cts.Token);
            _client.Dispose();
        }

        await base.DisposeAsync();
    }
}
