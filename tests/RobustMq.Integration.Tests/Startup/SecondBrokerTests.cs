using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// A second broker given a port the first one listens on stops (exit 2, one line naming the key) instead of
/// listening beside it: SO_REUSEPORT let both bind 1883 and the Orleans ports, and split the clients between them.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class SecondBrokerTests(SecondBrokerTests.RunningBroker first) : IClassFixture<SecondBrokerTests.RunningBroker>
{
    [Theory]
    [InlineData("Listeners:Tcp:Port")]
    [InlineData("Listeners:WebSocket:Port")]
    [InlineData("Admin:Port")]
    [InlineData("Cluster:SiloPort")]
    [InlineData("Cluster:GatewayPort")]
    public async Task Second_broker_on_a_port_of_the_first_stops_naming_the_key(string key)
    {
        var port = first.Broker.Ports[key];

        await using var second = BrokerExecutable.Start([$"--{key}={port}"]);
        var exitCode = await second.WaitForExitAsync($"second broker with {key}={port} (the first broker's)", TimeSpan.FromSeconds(30));

        var lines = second.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; output:\n{second.Log}");
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{second.Log}");
        Assert.Contains($"{key} {port} is already in use", lines[0], StringComparison.Ordinal);
    }

    /// <summary>The first broker, running until the class is done.</summary>
    public sealed class RunningBroker : IAsyncLifetime
    {
        public BrokerExecutable Broker { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Broker = BrokerExecutable.Start([]);
            await Broker.WaitStartedAsync("first broker start-up");
        }

        public async Task DisposeAsync() => await Broker.DisposeAsync();
    }
}
