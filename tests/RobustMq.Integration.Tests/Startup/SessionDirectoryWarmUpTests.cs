using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using RobustMq.Abstractions.Sessions;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// A fresh broker reaches every session directory shard before its listeners accept clients (issue 12), so its first
/// connection storm does not wait for the shards' activation. No client has connected to this fixture's broker, and its
/// store is empty: without the warm-up no shard would be active.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class SessionDirectoryWarmUpTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Every_session_directory_shard_is_active_before_any_client_connects()
    {
        var management = broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var statistics = await management.GetSimpleGrainStatistics();
        var shards = statistics.Where(s => s.GrainType.Contains("SessionDirectoryGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        Assert.Equal(SessionDirectory.Shards, shards);
    }
}
