using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// The authentication chain with the built-in user store (issue 13): users made through the admin API, stored in the
/// broker's RocksDB; real MQTT clients (MQTTnet, mosquitto_pub) refused with the CONNACK codes the spec names.
/// </summary>
public sealed class AuthenticationTests(AuthBrokerFixture broker) : IClassFixture<AuthBrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    private async Task PutUserAsync(string name, string password, bool superuser = false, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await _http.PutAsJsonAsync($"/api/users/{name}", new { password, superuser });
        Assert.True(response.StatusCode == expected, $"PUT /api/users/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<MqttClientConnectResult> ConnectAsync(IMqttClient client, string clientId, string? user, string? password, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var options = Mqtt.Options(broker, clientId, version);
        if (user is not null)
        {
            options.WithCredentials(user, password);
        }

        // MQTTnet returns a refused CONNACK's result rather than throwing.
        return await client.ConnectAsync(options.Build());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_client_without_credentials_is_refused_as_not_authorized(MqttProtocolVersion version)
    {
        using var client = Mqtt.NewClient();
        var result = await ConnectAsync(client, $"anon-{version}", null, null, version);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData("mqttv5", "not authori")]
    [InlineData("mqttv311", "not authori")]
    public async Task An_unauthenticated_mosquitto_pub_is_refused(string version, string message)
    {
        using var pub = CliProcess.Start("/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", broker.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version, "-t", "auth/x", "-m", "hello"]);
        var code = await pub.WaitForExitAsync("unauthenticated mosquitto_pub");
        Assert.True(code != 0, $"mosquitto_pub exited with 0: {pub.Describe()}");
        Assert.Contains(message, pub.Describe(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_stored_user_gets_in_with_its_password_and_is_refused_with_another(MqttProtocolVersion version)
    {
        var user = $"dev-{version}";
        await PutUserAsync(user, "s3cret!");

        using (var client = Mqtt.NewClient())
        {
            var result = await ConnectAsync(client, $"{user}-ok", user, "s3cret!", version);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await client.DisconnectAsync();
        }

        using (var client = Mqtt.NewClient())
        {
            var result = await ConnectAsync(client, $"{user}-bad", user, "s3cret?", version);
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        }

        using (var client = Mqtt.NewClient())
        {
            var result = await ConnectAsync(client, $"{user}-unknown", user + "-nobody", "s3cret!", version);
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        }
    }

    [Fact]
    public async Task Users_are_listed_without_their_hashes_and_a_deleted_or_changed_one_no_longer_gets_in()
    {
        await PutUserAsync("carol", "first");
        await PutUserAsync("carol", "second", superuser: true, expected: HttpStatusCode.OK);
        using (var client = Mqtt.NewClient())
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync(client, "carol-1", "carol", "first")).ResultCode);
            Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(client, "carol-2", "carol", "second")).ResultCode);
            await client.DisconnectAsync();
        }

        var list = await _http.GetStringAsync("/api/users");
        using (var users = JsonDocument.Parse(list))
        {
            var carol = users.RootElement.EnumerateArray().Single(u => u.GetProperty("user_name").GetString() == "carol");
            Assert.True(carol.GetProperty("superuser").GetBoolean());
            Assert.DoesNotContain("hash", list, StringComparison.Ordinal);
            Assert.DoesNotContain("salt", list, StringComparison.Ordinal);
        }

        using (var deleted = await _http.DeleteAsync("/api/users/carol"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await _http.DeleteAsync("/api/users/carol"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var client = Mqtt.NewClient())
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync(client, "carol-3", "carol", "second")).ResultCode);
        }

        using var empty = await _http.PutAsJsonAsync("/api/users/dave", new { superuser = false });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task A_superuser_demoted_while_its_session_waits_no_longer_reads_what_the_ACL_denies()
    {
        await PutUserAsync("demoted", "pw", superuser: true);
        await PutUserAsync("vault-writer", "pw", superuser: true);
        using (var first = Mqtt.NewClient())
        {
            var options = Mqtt.Options(broker, "demoted-client").WithCredentials("demoted", "pw").WithCleanStart(true).WithSessionExpiryInterval(3600);
            Assert.Equal(MqttClientConnectResultCode.Success, (await first.ConnectAsync(options.Build())).ResultCode);
            var granted = await first.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vault/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items.Single().ResultCode);
            await first.DisconnectAsync();
        }

        await PutUserAsync("demoted", "pw", superuser: false, expected: HttpStatusCode.OK);
        using var again = Mqtt.NewClient();
        var received = new MessageCollector(again);
        var resumed = await again.ConnectAsync(Mqtt.Options(broker, "demoted-client").WithCredentials("demoted", "pw").WithCleanStart(false).WithSessionExpiryInterval(3600).Build());
        Assert.True(resumed.IsSessionPresent, "the session kept its subscription");
        await again.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("open/demoted", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        using var writer = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(writer, "vault-writer-client", "vault-writer", "pw")).ResultCode);
        await writer.PublishAsync(Mqtt.Message("vault/door", "secret", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await writer.PublishAsync(Mqtt.Message("open/demoted", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var next = await received.NextAsync("the first message after the demotion");
        Assert.Equal("open/demoted", next.Topic);
        await again.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task A_superuser_is_not_held_to_the_ACL_and_an_ordinary_user_is()
    {
        await PutUserAsync("root-user", "rootpw", superuser: true);
        await PutUserAsync("plain-user", "plainpw");
        using var root = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(root, "root-client", "root-user", "rootpw")).ResultCode);
        using var plain = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(plain, "plain-client", "plain-user", "plainpw")).ResultCode);

        var granted = await root.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vault/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items.Single().ResultCode);
        var refused = await plain.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vault/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, refused.Items.Single().ResultCode);

        var received = new MessageCollector(root);
        var published = await root.PublishAsync(Mqtt.Message("vault/door", "open", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(published.IsSuccess, $"the superuser's publish: {published.ReasonCode}");
        Assert.Equal("open", (await received.NextAsync("the superuser's own message")).ConvertPayloadToString());
        var denied = await plain.PublishAsync(Mqtt.Message("vault/door", "shut", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, denied.ReasonCode);
    }
}

/// <summary>With <c>Admin:Token</c>, the endpoints that manage users and bans ask for it; the read-only views do not.</summary>
[Trait("Topology", "SingleNode")]
public sealed class AdminTokenTests
{
    [Fact]
    public async Task The_user_and_blacklist_endpoints_need_the_bearer_token()
    {
        await using var broker = BrokerExecutable.Start(["--Sys:IntervalSeconds=0", "--Admin:Token=t0ken-for-tests"]);
        await broker.WaitStartedAsync("broker start-up");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.Ports["Admin:Port"]}"), Timeout = TimeSpan.FromSeconds(10) };
        using (var bare = await http.GetAsync("/api/users"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/blacklist") { Content = JsonContent.Create(new { kind = "clientid", value = "x" }) })
        {
            wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken-for-test");
            using var response = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken-for-tests");
        using (var right = await http.GetAsync("/api/users"))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = null;
        using var health = await http.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

/// <summary>The built-in users outlive the broker: stored in its RocksDB, read again after a restart.</summary>
[Trait("Topology", "SingleNode")]
public sealed class UserStoreDurabilityTests
{
    [Fact]
    public async Task A_user_made_through_the_admin_API_gets_in_after_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-users-").FullName;
        string[] arguments = [$"--Storage:Path={data}", "--Storage:Default=RocksDb", "--Sys:IntervalSeconds=0", "--Auth:AllowAnonymous=false", "--Auth:Sources:0=builtin"];
        try
        {
            await using (var first = BrokerExecutable.Start(arguments))
            {
                await first.WaitStartedAsync("first broker start-up");
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.Ports["Admin:Port"]}"), Timeout = TimeSpan.FromSeconds(10) };
                using var put = await http.PutAsJsonAsync("/api/users/keeper", new { password = "kept", superuser = false });
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            await using var second = BrokerExecutable.Start(arguments);
            await second.WaitStartedAsync("second broker start-up");
            using var client = Mqtt.NewClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", second.MqttPort).WithClientId("keeper-client")
                .WithCredentials("keeper", "kept").WithTimeout(TimeSpan.FromSeconds(10)).Build();
            Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(options)).ResultCode);
            using var refused = Mqtt.NewClient();
            var wrong = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", second.MqttPort).WithClientId("keeper-wrong")
                .WithCredentials("keeper", "lost").WithTimeout(TimeSpan.FromSeconds(10)).Build();
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await refused.ConnectAsync(wrong)).ResultCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
