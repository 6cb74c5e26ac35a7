using System.Net;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

[Trait("Topology", "SingleNode")]
public sealed class AdminApiTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_endpoint_returns_prometheus_text_with_the_connection_gauge()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-metrics");

        using var response = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE robustmq_connections gauge", body, StringComparison.Ordinal);
        Assert.Matches("(?m)^robustmq_connections [1-9]", body);
    }

    [Fact]
    public async Task Health_endpoint_answers_ok()
    {
        using var response = await _http.GetAsync(new Uri("/api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_endpoint_lists_a_connected_client()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-listed-client");

        var body = await _http.GetStringAsync(new Uri("/api/clients", UriKind.Relative));

        Assert.Contains("\"clientId\":\"admin-listed-client\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_endpoint_shows_the_connection_parameters_under_camel_case_names()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var client = await Mqtt.ConnectAsync(broker, "admin-client-fields", configure: o => o
            .WithCredentials("alice", "pw").WithKeepAlivePeriod(TimeSpan.FromSeconds(30)).WithCleanStart(false).WithSessionExpiryInterval(120));

        var item = await ItemAsync("/api/clients", "clientId", "admin-client-fields");

        Assert.Equal(
            ["clientId", "userName", "protocolVersion", "peerAddress", "keepAliveSeconds", "cleanStart", "sessionExpirySeconds", "connectedAt"],
            Names(item));
        var expected = """{"clientId":"admin-client-fields","userName":"alice","protocolVersion":5,"keepAliveSeconds":30,"cleanStart":false,"sessionExpirySeconds":120}""";
        Assert.Equal(expected, Without(item, "peerAddress", "connectedAt"));
        Assert.Matches(@"^127\.0\.0\.1:[0-9]+$", item.GetProperty("peerAddress").GetString());
        var connectedAt = item.GetProperty("connectedAt").GetDateTimeOffset();
        Assert.InRange(connectedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Clients_endpoint_shows_a_missing_user_name_as_null()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-client-anonymous", MQTTnet.Formatter.MqttProtocolVersion.V311);

        var item = await ItemAsync("/api/clients", "clientId", "admin-client-anonymous");

        Assert.Equal("""{"clientId":"admin-client-anonymous","userName":null,"protocolVersion":4,"cleanStart":true,"sessionExpirySeconds":0}""",
            Without(item, "peerAddress", "connectedAt", "keepAliveSeconds"));
    }

    [Fact]
    public async Task Routes_endpoint_writes_qos_not_qoS()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-route-fields");
        await Mqtt.SubscribeAsync(client, f => f.WithTopic("admin/routes/x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce), subscriptionId: 7);
        using var node = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/node", UriKind.Relative)));
        var nodeName = node.RootElement.GetProperty("node").GetString();

        var item = await ItemAsync("/api/routes", "clientId", "admin-route-fields");

        var expected = $$"""{"filter":"admin/routes/x","shareGroup":null,"clientId":"admin-route-fields","node":"{{nodeName}}","qos":1,"noLocal":false,"retainAsPublished":false,"subscriptionId":7,"aclReadCheck":false}""";
        Assert.Equal(expected, item.GetRawText());
    }

    [Fact]
    public async Task Nodes_endpoint_lists_this_active_node_as_itself()
    {
        using var nodes = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/nodes", UriKind.Relative)));

        var self = Assert.Single(nodes.RootElement.EnumerateArray());
        Assert.Equal(["address", "name", "status", "self"], Names(self));
        Assert.Equal("active", self.GetProperty("status").GetString());
        Assert.True(self.GetProperty("self").GetBoolean());
        Assert.StartsWith("127.0.0.1:", self.GetProperty("address").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_and_health_endpoints_name_their_properties_in_camel_case()
    {
        using var node = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/node", UriKind.Relative)));
        var health = await _http.GetStringAsync(new Uri("/api/health", UriKind.Relative));

        Assert.Equal(["node", "name", "connections", "routes", "activations"], Names(node.RootElement));
        Assert.Equal("""{"status":"ok"}""", health);
    }

    [Fact]
    public async Task Protocol_error_metric_labels_its_reason_code_in_hex_as_the_spec_writes_it()
    {
        using (var raw = await RawClient.OpenAsync(broker))
        {
            await raw.SendAsync(RawPackets.Connect("admin-bad-level", level: 6));
            await raw.ReadUntilClosedAsync("CONNECT with protocol level 6 is refused (0x84)");
        }

        var body = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Matches("(?m)^robustmq_protocol_errors_total\\{reason=\"0x84\"\\} [1-9]", body);
        Assert.DoesNotMatch("reason=\"[0-9a-fA-F]{2}\"", body);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The element of the JSON array at <paramref name="path"/> whose <paramref name="key"/> is <paramref name="value"/>.</summary>
    private async Task<JsonElement> ItemAsync(string path, string key, string value)
    {
        var body = await _http.GetStringAsync(new Uri(path, UriKind.Relative));
        using var document = JsonDocument.Parse(body);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.GetProperty(key).GetString() == value)
            {
                return item.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException($"{path}: no item with {key} '{value}' in {body}");
    }

    private static List<string> Names(JsonElement item) => [.. item.EnumerateObject().Select(p => p.Name)];

    /// <summary>The element's JSON as served, less the named (varying) properties.</summary>
    private static string Without(JsonElement item, params string[] names) =>
        "{" + string.Join(',', item.EnumerateObject().Where(p => !names.Contains(p.Name)).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}")) + "}";
}
