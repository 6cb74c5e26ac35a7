using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>A key that none of the broker's options has is not ignored silently: a warning names it and the nearest known key.</summary>
[Trait("Topology", "SingleNode")]
public sealed class UnknownKeyTests
{
    [Fact]
    public async Task Unknown_key_in_every_section_is_warned_with_the_nearest_known_key()
    {
        (string Key, string Nearest)[] cases =
        [
            ("Listeners:Tcp:Prot", "Listeners:Tcp:Port"),
            ("Listeners:MaxConection", "Listeners:MaxConnections"),
            ("Listeners:Wss:Certficate", "Listeners:Wss:Certificate"),
            ("Mqtt:MaxPacketSise", "Mqtt:MaxPacketSize"),
            ("Acl:Fiel", "Acl:File"),
            ("Admin:Adress", "Admin:Address"),
            ("Cluster:SiloProt", "Cluster:SiloPort"),
            ("Sys:Interval", "Sys:IntervalSeconds"),
            ("Node:Nmae", "Node:Name"),
        ];

        await using var broker = BrokerExecutable.Start(cases.Select(c => $"--{c.Key}=1"));
        await broker.WaitStartedAsync("broker start-up");

        foreach (var (key, nearest) in cases)
        {
            Assert.Contains($"Configuration: {key} is not a known key; it is ignored (did you mean {nearest}?)", broker.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Known_keys_give_no_warning()
    {
        await using var broker = BrokerExecutable.Start(["--Mqtt:MaxInflight=16", "--listeners:tcp:enabled=true", "--Node:Name=n1"]);
        await broker.WaitStartedAsync("broker start-up");

        Assert.DoesNotContain("Configuration:", broker.Log, StringComparison.Ordinal);
    }
}
