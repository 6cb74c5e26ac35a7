using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Cli;

/// <summary>
/// <c>robust-ctl</c>'s session, subscription, retained, publish and subscribe verbs, the real executable against a
/// running broker (issue 14): <c>mqtt subscribe --count 1</c> (a real MQTT client) receives what <c>mqtt publish</c>
/// (through the admin API) sent.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class SessionCtlTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private Task<(int ExitCode, string Output, string Error)> CtlAsync(params string[] arguments) => RobustCtl.RunAsync(broker.AdminPort, arguments);

    [Fact]
    public async Task Session_list_shows_connected_and_stored_sessions_and_delete_ends_one()
    {
        using var live = await Mqtt.ConnectAsync(broker, "ctlsession-live");
        using (var leaving = await Mqtt.ConnectAsync(broker, "ctlsession-stored", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(600)))
        {
            await leaving.DisconnectAsync();
        }

        var (code, table, error) = await CtlAsync("mqtt", "session", "list", "--client-id", "ctlsession-");
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains("CLIENTID", table, StringComparison.Ordinal);
        Assert.Contains("ctlsession-live", table, StringComparison.Ordinal);
        Assert.Contains("ctlsession-stored", table, StringComparison.Ordinal);

        var (jsonCode, json, _) = await CtlAsync("--output", "json", "mqtt", "session", "list", "--client-id", "ctlsession-", "--connected", "false");
        Assert.Equal(0, jsonCode);
        Assert.Equal("ctlsession-stored", JsonDocument.Parse(json).RootElement.GetProperty("data")[0].GetProperty("clientid").GetString());

        Assert.Equal(0, (await CtlAsync("mqtt", "session", "delete", "ctlsession-stored")).ExitCode);
        var (missingCode, _, missing) = await CtlAsync("mqtt", "session", "delete", "ctlsession-stored");
        Assert.Equal(1, missingCode);
        Assert.Contains("404", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_receives_what_publish_sent_and_the_retained_message_is_listed_and_deleted()
    {
        var mqtt = $"127.0.0.1:{broker.MqttPort.ToString(CultureInfo.InvariantCulture)}";
        using var subscriber = RobustCtl.Start(["--output", "json", "mqtt", "subscribe", "--mqtt-server", mqtt, "--topic", "ctl/round/#", "--qos", "1",
            "--count", "1", "--timeout", "30", "--client-id", "ctl-subscriber"]);
        var received = subscriber.StandardOutput.ReadToEndAsync();
        var subscriberError = subscriber.StandardError.ReadToEndAsync();
        try
        {
            await Eventually.TrueAsync(async () => (await CtlAsync("--output", "json", "mqtt", "subscribes", "list", "--client-id", "ctl-subscriber")).Output.Contains("ctl/round/#", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "the subscriber's subscription is listed");

            var (code, published, error) = await CtlAsync("--output", "json", "mqtt", "publish", "--topic", "ctl/round/trip", "--payload", "hello ctl", "--qos", "1", "--retain");
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Equal(32, JsonDocument.Parse(published).RootElement.GetProperty("id").GetString()!.Length);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await subscriber.WaitForExitAsync(timeout.Token);
            Assert.True(subscriber.ExitCode == 0, $"subscribe exit {subscriber.ExitCode}: {await subscriberError}");
            var line = JsonDocument.Parse((await received).Trim()).RootElement;
            Assert.Equal("ctl/round/trip", line.GetProperty("topic").GetString());
            Assert.Equal("hello ctl", line.GetProperty("payload").GetString());
        }
        finally
        {
            if (!subscriber.HasExited)
            {
                subscriber.Kill();
            }
        }

        var (listCode, retained, _) = await CtlAsync("mqtt", "retained", "list", "--topic", "ctl/round");
        Assert.Equal(0, listCode);
        Assert.Contains("ctl/round/trip", retained, StringComparison.Ordinal);
        Assert.Equal(0, (await CtlAsync("mqtt", "retained", "delete", "ctl/round/trip")).ExitCode);
        Assert.Equal(1, (await CtlAsync("mqtt", "retained", "get", "ctl/round/trip")).ExitCode);
        Assert.Equal(0, (await CtlAsync("mqtt", "topic", "list")).ExitCode);
    }

    [Fact]
    public async Task Subscribe_times_out_and_bad_arguments_give_the_usage()
    {
        var mqtt = $"127.0.0.1:{broker.MqttPort.ToString(CultureInfo.InvariantCulture)}";
        Assert.Equal(1, (await CtlAsync("mqtt", "subscribe", "--mqtt-server", mqtt, "--topic", "ctl/none", "--count", "1", "--timeout", "1")).ExitCode);
        var (usage, _, error) = await CtlAsync("mqtt", "publish", "--topic", "t", "--qos", "3");
        Assert.Equal(2, usage);
        Assert.Contains("Usage", error, StringComparison.Ordinal);
        Assert.Equal(2, (await CtlAsync("mqtt", "subscribe", "--topic", "t", "--mqtt-server", "nohost")).ExitCode);
        Assert.Equal(3, (await CtlAsync("mqtt", "subscribe", "--topic", "t", "--mqtt-server", $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}", "--timeout", "5")).ExitCode);

        try
        {
            var (configCode, config, configError) = await CtlAsync("--output", "json", "cluster", "config", "set", "Flapping:WindowSeconds", "30");
            Assert.True(configCode == 0, $"exit {configCode}: {configError}");
            Assert.Equal(30, JsonDocument.Parse(config).RootElement.GetProperty("Flapping:WindowSeconds").GetInt32());
            Assert.Equal(1, (await CtlAsync("cluster", "config", "set", "Nope:Key", "1")).ExitCode);
        }
        finally
        {
            // The broker may serve other classes after this one (the cluster run reuses clusters): the setting goes back.
            using var api = new Admin.AdminHttp(broker.AdminPort);
            await api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object?> { ["Flapping:WindowSeconds"] = null });
        }
    }

    [Fact]
    public async Task Subscribe_exits_1_when_the_connect_is_refused_or_the_client_is_kicked_and_130_on_ctrl_c()
    {
        var mqtt = $"127.0.0.1:{broker.MqttPort.ToString(CultureInfo.InvariantCulture)}";
        using var api = new Admin.AdminHttp(broker.AdminPort);

        // A banned client id: the CONNACK refuses it (MQTTnet throws on it), the reason code is printed.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/blacklist", new { kind = "clientid", value = "ctl-banned", reason = "robust-ctl test", duration_s = 600 }, System.Net.HttpStatusCode.Created);
        try
        {
            var (code, _, error) = await CtlAsync("mqtt", "subscribe", "--mqtt-server", mqtt, "--topic", "ctl/banned", "--client-id", "ctl-banned", "--timeout", "5");
            Assert.True(code == 1, $"exit {code}: {error}");
            Assert.Contains("refused the CONNECT", error, StringComparison.Ordinal);
            Assert.Contains("Banned", error, StringComparison.Ordinal);
        }
        finally
        {
            using var lifted = await api.SendAsync(HttpMethod.Delete, "/api/v1/blacklist/clientid/ctl-banned");
        }

        // Kicked before --count messages came (no --timeout): it ends with the server's reason code, exit 1.
        var (kickedCode, kickedError) = await RunUntilAsync("ctl-kicked", async () =>
        {
            using var kicked = await api.SendAsync(HttpMethod.Delete, "/api/v1/clients/ctl-kicked");
            Assert.Equal(System.Net.HttpStatusCode.NoContent, kicked.StatusCode);
        });
        Assert.True(kickedCode == 1, $"exit {kickedCode}: {kickedError}");
        Assert.Contains("AdministrativeAction (0x98)", kickedError, StringComparison.Ordinal);

        // Ctrl+C (SIGINT) before --count messages came: 130.
        var (interruptedCode, interruptedError) = await RunUntilAsync("ctl-interrupted", () => Task.CompletedTask, interrupt: true);
        Assert.True(interruptedCode == 130, $"exit {interruptedCode}: {interruptedError}");
    }

    /// <summary>
    /// Runs <c>mqtt subscribe --count 5</c> as <paramref name="clientId"/> (no <c>--timeout</c>), does
    /// <paramref name="then"/> once its subscription is listed (or sends it SIGINT with <paramref name="interrupt"/>),
    /// and waits for its exit.
    /// </summary>
    private async Task<(int ExitCode, string Error)> RunUntilAsync(string clientId, Func<Task> then, bool interrupt = false)
    {
        var mqtt = $"127.0.0.1:{broker.MqttPort.ToString(CultureInfo.InvariantCulture)}";
        using var subscriber = RobustCtl.Start(["mqtt", "subscribe", "--mqtt-server", mqtt, "--topic", $"ctl/{clientId}/#", "--count", "5", "--client-id", clientId]);
        var output = subscriber.StandardOutput.ReadToEndAsync();
        var error = subscriber.StandardError.ReadToEndAsync();
        try
        {
            using var api = new Admin.AdminHttp(broker.AdminPort);
            await Eventually.TrueAsync(async () => (await api.ListAsync($"/api/v1/subscriptions?clientid={clientId}")).Count > 0,
                TimeSpan.FromSeconds(20), $"{clientId}'s subscription is listed");
            if (interrupt)
            {
                using var kill = Process.Start("kill", ["-INT", subscriber.Id.ToString(CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync();
            }
            else
            {
                await then();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await subscriber.WaitForExitAsync(timeout.Token);
            await output;
            return (subscriber.ExitCode, await error);
        }
        finally
        {
            if (!subscriber.HasExited)
            {
                subscriber.Kill();
            }
        }
    }
}
