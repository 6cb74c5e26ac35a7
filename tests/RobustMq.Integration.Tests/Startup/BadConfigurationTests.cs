using System.Diagnostics;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>The real executable refuses bad configuration at start-up, naming the key, with exit code 2.</summary>
public sealed class BadConfigurationTests
{
    [Theory]
    [InlineData("--Listeners:Tcp:Port=0", "Listeners:Tcp:Port must be 1-65535 (got 0)")]
    [InlineData("--Mqtt:MaximumQoS=3", "Mqtt:MaximumQoS must be 0-2 (got 3)")]
    [InlineData("--Mqtt:ReceiveMaximum=0", "Mqtt:ReceiveMaximum must be 1-65535 (got 0)")]
    [InlineData("--Listeners:WebSocket:Path=mqtt", "Listeners:WebSocket:Path must start with '/'")]
    [InlineData("--Cluster:Mode=Raft", "Cluster:Mode must be Localhost or AdoNet (got 'Raft')")]
    [InlineData("--Listeners:Tls:Port=8883", "Listeners:Tls:Certificate is required when Listeners:Tls:Port is set")]
    [InlineData("--Acl:File=/nonexistent/robustmq.acl", "Acl:File '/nonexistent/robustmq.acl' does not exist")]
    [InlineData("--Listeners:MaxConnections=-1", "Listeners:MaxConnections must be 0 (from the open-file limit) or more (got -1)")]
    public async Task Bad_value_stops_start_up_naming_the_key(string argument, string expected)
    {
        var (exitCode, stderr) = await RunBrokerAsync(argument);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_config_file_stops_start_up_naming_the_file()
    {
        var (exitCode, stderr) = await RunBrokerAsync("--config", "no-such-robustmq.json");

        Assert.Equal(2, exitCode);
        Assert.Contains("--config file 'no-such-robustmq.json' does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_acl_rule_stops_start_up_naming_the_line()
    {
        var acl = Path.Combine(Path.GetTempPath(), $"robustmq-bad-{Guid.NewGuid():N}.acl");
        await File.WriteAllTextAsync(acl, "allow publish a/#\nperhaps subscribe b\n");
        try
        {
            var (exitCode, stderr) = await RunBrokerAsync($"--Acl:File={acl}");

            Assert.Equal(2, exitCode);
            Assert.Contains("Acl:File", stderr, StringComparison.Ordinal);
            Assert.Contains("line 2", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(acl);
        }
    }

    private static async Task<(int ExitCode, string Stderr)> RunBrokerAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robustmq.dll"));
        foreach (var port in new[] { "Listeners:Tcp:Port", "Listeners:WebSocket:Port", "Admin:Port", "Cluster:SiloPort", "Cluster:GatewayPort" })
        {
            info.ArgumentList.Add($"--{port}={FreePorts.Next()}");
        }

        info.ArgumentList.Add("--Listeners:Tcp:Address=127.0.0.1");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"broker with {string.Join(' ', arguments)}: expected it to refuse to start, it was still running after 60 s");
        }

        return (process.ExitCode, await stderr + await stdout);
    }
}
