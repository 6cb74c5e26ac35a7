using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Cli;

/// <summary>
/// <c>robust-ctl</c>, the real executable (<c>robust-ctl.dll</c>, run with <c>dotnet</c>), against a running broker
/// (issue 14): it lists the clients a test connected (of both silos in the cluster run), kicks one, manages users, ACL
/// rules and bans, and answers a bad command line with the usage and exit code 2.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class RobustCtlTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private Task<(int ExitCode, string Output, string Error)> CtlAsync(params string[] arguments) => RobustCtl.RunAsync(broker.AdminPort, arguments);

    [Fact]
    public async Task Client_list_shows_the_connected_clients_and_kick_closes_one()
    {
        using var first = await Mqtt.ConnectAsync(broker, "ctl-client-1");
        using var second = await Mqtt.ConnectAsync(broker, "ctl-client-2");

        var (code, table, error) = await CtlAsync("mqtt", "client", "list", "--client-id", "ctl-client");
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains("CLIENTID", table, StringComparison.Ordinal);
        Assert.Contains("ctl-client-1", table, StringComparison.Ordinal);
        Assert.Contains("ctl-client-2", table, StringComparison.Ordinal);

        var (jsonCode, json, _) = await CtlAsync("--output", "json", "mqtt", "client", "list", "--client-id", "ctl-client");
        Assert.Equal(0, jsonCode);
        Assert.Equal(2, JsonDocument.Parse(json).RootElement.GetProperty("meta").GetProperty("count").GetInt32());

        var (kickCode, kicked, kickError) = await CtlAsync("--output", "json", "mqtt", "client", "kick", "ctl-client-1");
        Assert.True(kickCode == 0, $"exit {kickCode}: {kickError}");
        Assert.Equal("kicked", JsonDocument.Parse(kicked).RootElement.GetProperty("result").GetString());
        await Eventually.TrueAsync(() => !first.IsConnected, TimeSpan.FromSeconds(10), "the kicked client is disconnected");
        Assert.True(second.IsConnected);

        var (missingCode, _, missing) = await CtlAsync("mqtt", "client", "kick", "ctl-client-1");
        Assert.Equal(1, missingCode);
        Assert.Contains("404", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_acl_rules_and_bans_are_managed_from_the_command_line()
    {
        Assert.Equal(0, (await CtlAsync("mqtt", "user", "create", "--username", "ctl-user", "--password", "ctl-pass")).ExitCode);
        Assert.Contains("ctl-user", (await CtlAsync("mqtt", "user", "list")).Output, StringComparison.Ordinal);

        Assert.Equal(0, (await CtlAsync("mqtt", "acl", "create", "--resource-type", "user", "--resource-name", "ctl-user",
            "--topic", "ctl/#", "--action", "publish", "--permission", "deny", "--qos", "1", "2")).ExitCode);
        var (aclCode, acl, aclError) = await CtlAsync("--output", "json", "mqtt", "acl", "list");
        Assert.True(aclCode == 0, aclError);
        var entry = JsonDocument.Parse(acl).RootElement.EnumerateArray().Single(e => e.GetProperty("who").GetString() == "user/ctl-user");
        Assert.Equal("ctl/#", entry.GetProperty("rules")[0].GetProperty("topic").GetString());
        Assert.Equal(0, (await CtlAsync("mqtt", "acl", "delete", "--resource-type", "user", "--resource-name", "ctl-user")).ExitCode);

        Assert.Equal(0, (await CtlAsync("mqtt", "blacklist", "create", "--blacklist-type", "clientid", "--resource-name", "ctl-banned", "--duration-s", "60")).ExitCode);
        Assert.Contains("ctl-banned", (await CtlAsync("mqtt", "blacklist", "list")).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await CtlAsync("mqtt", "blacklist", "delete", "--blacklist-type", "clientid", "--resource-name", "ctl-banned")).ExitCode);
        Assert.Equal(0, (await CtlAsync("mqtt", "user", "delete", "--username", "ctl-user")).ExitCode);
    }

    [Fact]
    public async Task Ids_holding_a_slash_a_percent_escape_or_non_ASCII_letters_are_addressed_exactly()
    {
        // robust-ctl escapes the id whole: '/' travels as %2F and the literal "%2F" as %252F.
        const string name = "ctl/user%2F \u00e4";
        Assert.Equal(0, (await CtlAsync("mqtt", "user", "create", "--username", name, "--password", "ctl-pass")).ExitCode);
        var (code, users, error) = await CtlAsync("--output", "json", "mqtt", "user", "list");
        Assert.True(code == 0, error);
        Assert.Contains(name, JsonDocument.Parse(users).RootElement.EnumerateArray().Select(u => u.GetProperty("user_name").GetString()));
        using (var client = await Mqtt.ConnectAsync(broker, name))
        {
            var (kickCode, _, kickError) = await CtlAsync("mqtt", "client", "kick", name);
            Assert.True(kickCode == 0, $"kick exit {kickCode}: {kickError}");
        }

        Assert.Equal(0, (await CtlAsync("mqtt", "user", "delete", "--username", name)).ExitCode);
        var (againCode, _, again) = await CtlAsync("mqtt", "user", "delete", "--username", name);
        Assert.Equal(1, againCode);
        Assert.Contains("404", again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt", "client", "frobnicate")]
    [InlineData("--output", "yaml", "mqtt", "overview")]
    [InlineData("mqtt", "acl", "create", "--resource-type", "group")]
    [InlineData("cluster")]
    [InlineData("mqtt", "acl", "create", "--resource-type", "user", "--topic", "t", "--action", "publish", "--permission", "deny")]
    [InlineData("--server", "ftp://x", "mqtt", "overview")]
    public async Task A_bad_command_line_prints_the_usage_and_exits_2(params string[] arguments)
    {
        var (code, _, error) = await CtlAsync(arguments);

        Assert.Equal(2, code);
        Assert.Contains("Usage: robust-ctl", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_credentials_exit_1_and_an_unreachable_server_exits_3()
    {
        var (code, _, error) = await CtlAsync("--admin-password", "wrong", "mqtt", "overview");
        Assert.Equal(1, code);
        Assert.Contains("401", error, StringComparison.Ordinal);

        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "robust-ctl.dll"), "--server", $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}", "cluster", "status"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        Assert.Equal(3, process.ExitCode);
    }

    [Fact]
    public async Task Cluster_status_and_healthy_answer_for_the_cluster()
    {
        var (code, status, error) = await CtlAsync("--output", "json", "cluster", "status");
        Assert.True(code == 0, error);
        Assert.Equal(BrokerFixture.ClusterMode ? 2 : 1, JsonDocument.Parse(status).RootElement.GetProperty("data").GetArrayLength());

        var (healthy, text, _) = await CtlAsync("cluster", "healthy");
        Assert.Equal(0, healthy);
        Assert.Contains("ready", text, StringComparison.Ordinal);

        var (completion, script, _) = await CtlAsync("completion", "bash");
        Assert.Equal(0, completion);
        Assert.Contains("complete -o default -F _robust_ctl robust-ctl", script, StringComparison.Ordinal);
    }
}
