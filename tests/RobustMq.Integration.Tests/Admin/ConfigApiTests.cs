using System.Net;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// Run-time configuration (<c>/api/v1/configs</c>) and what it steers, against a broker of its own (the changes are
/// cluster-wide): a change reaches every node at once; flapping detection switched on live bans a client id that
/// reconnects (<c>/api/v1/flapping</c>); <c>Acl:NoMatch=deny</c> set live refuses a subscription made on a client's
/// behalf, as it would the client's own; a stored value removed (<c>null</c>) gives way to the configured one; an ACL
/// file that no longer reads keeps <c>Acl:NoMatch</c> as it was and the node is counted as not told; URLs are shown
/// without their user information and query.
/// </summary>
public sealed class ConfigApiTests(ConfigBrokerFixture broker) : IClassFixture<ConfigBrokerFixture>, IDisposable
{
    private readonly AdminHttp _api = new(broker.AdminPort);

    public void Dispose() => _api.Dispose();

    private int[] AdminPorts => BrokerFixture.ClusterMode ? [.. broker.Silos.Select(s => s.Ports["Admin:Port"])] : [broker.AdminPort];

    [Fact]
    public async Task Settings_are_shown_with_secrets_masked_and_a_change_reaches_every_node()
    {
        var configs = await _api.GetAsync("/api/v1/configs");
        Assert.Equal(JsonValueKind.Object, configs.GetProperty("configs").GetProperty("Mqtt").ValueKind);
        Assert.False(configs.GetProperty("live").GetProperty("Flapping:Enabled").GetBoolean());
        Assert.DoesNotContain("public", configs.GetProperty("configs").GetProperty("Admin").GetRawText(), StringComparison.Ordinal);
        var auth = configs.GetProperty("configs").GetProperty("Auth").GetRawText();
        Assert.DoesNotContain("cfg-url-pass", auth, StringComparison.Ordinal);
        Assert.DoesNotContain("cfg-user", auth, StringComparison.Ordinal);
        Assert.DoesNotContain("cfg-url-token", auth, StringComparison.Ordinal);
        Assert.Equal("https://******@auth.invalid/mqtt/check?******", configs.GetProperty("configs").GetProperty("Auth").GetProperty("Http").GetProperty("Url").GetString());

        var bad = await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Mqtt:MaxPacketSize"] = 10 }, HttpStatusCode.BadRequest);
        Assert.Contains("Mqtt:MaxPacketSize", bad.GetProperty("message").GetString(), StringComparison.Ordinal);
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Flapping:MaxConnects"] = 0 }, HttpStatusCode.BadRequest);

        await _api.JsonAsync(HttpMethod.Put, "/api/v1/admins/cfg-viewer", new { password = "viewer-pass-1", role = "viewer" }, HttpStatusCode.Created);
        using (var viewer = new AdminHttp(broker.AdminPort, "cfg-viewer", "viewer-pass-1"))
        {
            Assert.True((await viewer.GetAsync("/api/v1/configs")).TryGetProperty("live", out _));
            await viewer.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Mqtt:MaxMessageRate"] = 1 }, HttpStatusCode.Forbidden);
        }

        var changed = await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Mqtt:MaxMessageRate"] = 5000 });
        Assert.Equal(0, changed.GetProperty("nodes_not_told").GetInt32());
        foreach (var port in AdminPorts)
        {
            using var node = new AdminHttp(port);
            var live = (await node.GetAsync("/api/v1/configs")).GetProperty("live");
            Assert.Equal(5000, live.GetProperty("Mqtt:MaxMessageRate").GetInt32());
        }
    }

    [Fact]
    public async Task Flapping_detection_switched_on_live_bans_a_reconnecting_client_and_lists_it()
    {
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Flapping:MaxConnects"] = 1, ["Flapping:BanSeconds"] = 60, ["Flapping:Enabled"] = true });
        try
        {
            // In the cluster the connections alternate between the silos, each counting its own.
            var refused = false;
            for (var i = 0; i < 6 && !refused; i++)
            {
                using var client = Mqtt.NewClient();
                var result = await client.ConnectAsync(Mqtt.Options(broker, "flapper").Build());
                refused = result.ResultCode == MqttClientConnectResultCode.Banned;
                if (client.IsConnected)
                {
                    await client.DisconnectAsync();
                }
            }

            Assert.True(refused, "a client id that reconnects past Flapping:MaxConnects is refused");
            var ban = Assert.Single(await _api.ListAsync("/api/v1/flapping?clientid=flapper"));
            Assert.Equal("flapper", ban.GetProperty("clientid").GetString());
            Assert.StartsWith("flapping", ban.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Flapping:Enabled"] = false });
            using var lifted = await _api.SendAsync(HttpMethod.Delete, "/api/v1/blacklist/clientid/flapper");
        }
    }

    [Fact]
    public async Task Acl_no_match_set_live_refuses_a_subscription_made_on_a_clients_behalf()
    {
        using var client = await Mqtt.ConnectAsync(broker, "acl-behalf");
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/acl-behalf/subscribe", new { topic = "acl/allowed", qos = 0 });
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Acl:NoMatch"] = "deny" });
        try
        {
            var refused = await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/acl-behalf/subscribe", new { topic = "acl/denied", qos = 0 }, HttpStatusCode.Forbidden);
            Assert.Contains("0x87", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Acl:NoMatch"] = "allow" });
        }

        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/acl-behalf/subscribe", new { topic = "acl/denied", qos = 0 });
    }

    [Fact]
    public async Task A_stored_value_removed_with_null_gives_way_to_the_configured_one_on_every_node()
    {
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Flapping:BanSeconds"] = 7 });
        var removed = await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object?> { ["Flapping:BanSeconds"] = null });
        Assert.Equal(0, removed.GetProperty("nodes_not_told").GetInt32());
        foreach (var port in AdminPorts)
        {
            using var node = new AdminHttp(port);
            // FlappingOptions' default: the fixture does not configure it.
            Assert.Equal(300, (await node.GetAsync("/api/v1/configs")).GetProperty("live").GetProperty("Flapping:BanSeconds").GetInt32());
        }

        // Only the keys that may change take null.
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object?> { ["Mqtt:MaxPacketSize"] = null }, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Acl_no_match_with_an_acl_file_that_no_longer_reads_keeps_the_rules_and_counts_the_nodes_not_told()
    {
        await File.WriteAllTextAsync(broker.AclFile, "this is not a rule\n");
        try
        {
            var answer = await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Acl:NoMatch"] = "deny" });
            Assert.Equal(AdminPorts.Length, answer.GetProperty("nodes_not_told").GetInt32());
            foreach (var port in AdminPorts)
            {
                using var node = new AdminHttp(port);
                Assert.Equal("allow", (await node.GetAsync("/api/v1/configs")).GetProperty("live").GetProperty("Acl:NoMatch").GetString());
            }

            // The file mended, the same PUT is no longer a no-op: it takes effect.
            await File.WriteAllTextAsync(broker.AclFile, ConfigBrokerFixture.ValidAcl);
            var again = await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Acl:NoMatch"] = "deny" });
            Assert.Equal(0, again.GetProperty("nodes_not_told").GetInt32());
            Assert.Equal("deny", again.GetProperty("live").GetProperty("Acl:NoMatch").GetString());
        }
        finally
        {
            await File.WriteAllTextAsync(broker.AclFile, ConfigBrokerFixture.ValidAcl);
            await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object?> { ["Acl:NoMatch"] = null });
        }
    }

    [Fact]
    public async Task A_subscription_the_clients_connection_does_not_take_in_4_s_answers_client_busy_and_is_never_made()
    {
        // A connection over Mqtt:MaxByteRate (100 bytes/s, a second's worth at once) is throttled for about 6 s after
        // a PUBLISH of 700 bytes: its read loop takes no work meanwhile.
        await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object> { ["Mqtt:MaxByteRate"] = 100 });
        IMqttClient client;
        try
        {
            client = await Mqtt.ConnectAsync(broker, "cfg-busy");
        }
        finally
        {
            await _api.JsonAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, object?> { ["Mqtt:MaxByteRate"] = null });
        }

        using (client)
        {
            await client.PublishAsync(Mqtt.Message("cfg/busy", new string('x', 700)).Build());
            var busy = await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/cfg-busy/subscribe", new { topic = "cfg/busy/a", qos = 0 }, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("CLIENT_BUSY", busy.GetProperty("code").GetString());

            // The next one is taken once the throttle ends; the cancelled one never runs.
            await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/cfg-busy/subscribe", new { topic = "cfg/busy/b", qos = 0 });
            var topics = (await _api.GetAsync("/api/v1/sessions/cfg-busy")).GetProperty("subscriptions").EnumerateArray().Select(s => s.GetProperty("topic").GetString()).ToList();
            Assert.Equal(["cfg/busy/b"], topics);
        }
    }
}
