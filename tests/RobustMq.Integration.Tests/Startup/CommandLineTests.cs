using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary><c>--help</c> and <c>--version</c> answer and exit; a command line that is not understood gets the usage and exit 2.</summary>
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
}
