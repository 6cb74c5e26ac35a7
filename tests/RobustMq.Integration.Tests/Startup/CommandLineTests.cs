using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary><c>--help</c> and <c>--version</c> answer and exit; a command line that is not understood gets the usage and exit 2.</summary>
[Trait("Topology", "SingleNode")]
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0(string argument)
    {
        await using var broker = BrokerExecutable.Start([argument], givePorts: false);
        var exitCode = await broker.WaitForExitAsync($"robustmq {argument}");

        Assert.True(exitCode == 0, $"exit code {exitCode}, expected 0; output:\n{broker.Log}");
        Assert.StartsWith("Usage: robustmq [--config FILE] [--Section:Key=value ...]", broker.Log, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project silo/RobustMq.Silo -c Release", broker.Log, StringComparison.Ordinal);
        Assert.Contains("ROBUSTMQ_", broker.Log, StringComparison.Ordinal);
        Assert.Contains("--Listeners:Tcp:Port (1883)", broker.Log, StringComparison.Ordinal);
        Assert.Contains("docs/configuration.md", broker.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Listening on", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_one_line_and_exits_0()
    {
        await using var broker = BrokerExecutable.Start(["--version"], givePorts: false);
        var exitCode = await broker.WaitForExitAsync("robustmq --version");

        var lines = broker.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 0, $"exit code {exitCode}, expected 0; output:\n{broker.Log}");
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{broker.Log}");
        Assert.Matches(@"^robustmq \d+\.\d+\.\d+\S* \(Orleans \d+\.\d+\.\d+, \.NET \d+\.\d+\.\d+\)$", lines[0]);
    }

    [Theory]
    [InlineData("start", "unexpected argument 'start'")]
    [InlineData("-p", "unexpected argument '-p'")]
    [InlineData("--Listeners:Tcp:Port", "--Listeners:Tcp:Port needs a value")]
    [InlineData("--config", "--config needs a file name")]
    public async Task Bad_command_line_prints_the_usage_on_stderr_and_exits_2(string argument, string expected)
    {
        await using var broker = BrokerExecutable.Start([argument], givePorts: false);
        var exitCode = await broker.WaitForExitAsync($"robustmq {argument}");

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; output:\n{broker.Log}");
        Assert.StartsWith($"robustmq: {expected}", broker.Log, StringComparison.Ordinal);
        Assert.Contains("Usage: robustmq", broker.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// Only <c>ROBUSTMQ_</c> variables configure the broker: a shell's <c>CLUSTER=2</c> or <c>Mqtt__MaxPacketSize=0</c> (an
    /// ASP.NET host would read both as keys) leaves it as it was, while <c>ROBUSTMQ_Mqtt__MaxPacketSize=0</c> is read and
    /// refused, naming the key.
    /// </summary>
    [Fact]
    public async Task Environment_variables_without_the_ROBUSTMQ_prefix_are_not_configuration()
    {
        await using (var broker = BrokerExecutable.Start([], environment: new Dictionary<string, string>
        {
            ["CLUSTER"] = "2",
            ["Mqtt__MaxPacketSize"] = "0",
            ["Listeners__Tcp__Port"] = "1",
        }))
        {
            await broker.WaitStartedAsync("a broker started beside unprefixed variables");
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, broker.MqttPort);
        }

        await using var prefixed = BrokerExecutable.Start([], environment: new Dictionary<string, string> { ["ROBUSTMQ_Mqtt__MaxPacketSize"] = "0" });
        var exitCode = await prefixed.WaitForExitAsync("a broker given ROBUSTMQ_Mqtt__MaxPacketSize=0");
        Assert.True(exitCode != 0, $"exit code 0 with MaxPacketSize 0; output:\n{prefixed.Log}");
        Assert.Contains("MaxPacketSize", prefixed.Log, StringComparison.Ordinal);
    }
}
