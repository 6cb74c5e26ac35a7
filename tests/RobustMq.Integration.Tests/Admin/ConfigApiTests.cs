using System.Net;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// Run-time configuration (<c>/api/v1/configs</c>) and what it steers, against a broker of its own (the changes are
/// cluster-wide): a change reaches every node at once; flapping detection switched on live bans a client id that
/// reconnects (<c>/api/v1/flapping</c>); <c>Acl:NoMatch=deny</c> set live refuses a subscription made on a client's
/// behalf, as it would the client's own.
/// </summary>
public sealed class ConfigApiTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
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
}
