using System.Net;
using System.Net.Http.Json;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// MQTT 5 enhanced authentication with SCRAM-SHA-256 (Auth:EnhancedMethods): MQTTnet clients doing the client side of
/// SCRAM through its enhanced authentication handler against users made through the admin API, and raw sockets for
/// the protocol errors of the AUTH exchange.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class ScramAuthenticationTests(ScramBrokerFixture broker) : IClassFixture<ScramBrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    private async Task PutUserAsync(string name, string password)
    {
        using var response = await _http.PutAsJsonAsync($"/api/users/{name}", new { password, superuser = false });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"PUT /api/users/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private Task<MqttClientConnectResult> ConnectAsync(IMqttClient client, string clientId, ScramClient scram, string method = ScramClient.Method) =>
        client.ConnectAsync(Mqtt.Options(broker, clientId)
            .WithEnhancedAuthentication(method, scram.First())
            .WithEnhancedAuthenticationHandler(scram)
            .Build());

    [Fact]
    public async Task A_stored_user_signs_in_with_SCRAM_and_the_ACL_checks_the_user_it_proved()
    {
        await PutUserAsync("alice", "pencil");
        var scram = new ScramClient("alice", "pencil");
        using var alice = Mqtt.NewClient();

        var result = await ConnectAsync(alice, "scram-alice", scram);

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(ScramClient.Method, result.AuthenticationMethod);
        Assert.True(scram.Verifies(result.AuthenticationData), $"server-final: {Encoding.UTF8.GetString(result.AuthenticationData ?? [])}");

        // The CONNECT had no User Name: alice is the user SCRAM proved, and scram/alice/# is hers alone.
        var collector = new MessageCollector(alice);
        var granted = await alice.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("scram/alice/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items.Single().ResultCode);
        var published = await alice.PublishAsync(Mqtt.Message("scram/alice/x", "hello", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal("hello", (await collector.NextAsync("alice receives her own message")).ConvertPayloadToString());

        await PutUserAsync("bob", "pen");
        var bobScram = new ScramClient("bob", "pen");
        using var bob = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(bob, "scram-bob", bobScram)).ResultCode);
        var refused = await bob.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("scram/alice/#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, refused.Items.Single().ResultCode);
        await bob.DisconnectAsync();
        await alice.DisconnectAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_bad_user_name_or_password()
    {
        await PutUserAsync("carol", "right");
        using var client = Mqtt.NewClient();

        var result = await ConnectAsync(client, "scram-carol", new ScramClient("carol", "wrong"));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task An_unknown_user_is_refused_like_a_wrong_password()
    {
        using var client = Mqtt.NewClient();

        var result = await ConnectAsync(client, "scram-nobody", new ScramClient("nobody-here", "whatever"));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
    }

    [Fact]
    public async Task A_method_that_is_not_offered_is_refused_with_bad_authentication_method()
    {
        using var client = Mqtt.NewClient();

        var result = await ConnectAsync(client, "scram-sha1", new ScramClient("alice", "pencil"), method: "SCRAM-SHA-1");

        Assert.Equal(MqttClientConnectResultCode.BadAuthenticationMethod, result.ResultCode);
    }

    [Fact]
    public async Task A_client_re_authenticates_and_goes_on_publishing()
    {
        await PutUserAsync("dave", "first");
        var scram = new ScramClient("dave", "first");
        using var client = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(client, "scram-dave", scram)).ResultCode);

        await client.SendEnhancedAuthenticationExchangeDataAsync(new MqttEnhancedAuthenticationExchangeData
        {
            ReasonCode = MqttAuthenticateReasonCode.ReAuthenticate,
            AuthenticationData = scram.First(),
        });
        var serverFinal = await scram.Reauthenticated.WithTimeout("dave waits for AUTH 0x00 after re-authenticating");

        Assert.True(scram.Verifies(Encoding.UTF8.GetBytes(serverFinal)), $"server-final: {serverFinal}");
        var published = await client.PublishAsync(Mqtt.Message("scram/dave", "after", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, published.ReasonCode);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task A_re_authentication_with_a_wrong_proof_is_disconnected_as_not_authorized()
    {
        await PutUserAsync("erin", "pw");
        var scram = new ScramClient("erin", "pw");
        using var client = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync(client, "scram-erin", scram)).ResultCode);
        var watcher = new DisconnectWatcher(client);

        scram.TamperProof = true;
        await client.SendEnhancedAuthenticationExchangeDataAsync(new MqttEnhancedAuthenticationExchangeData
        {
            ReasonCode = MqttAuthenticateReasonCode.ReAuthenticate,
            AuthenticationData = scram.First(),
        });

        var disconnected = await watcher.WaitAsync("erin re-authenticated with a wrong proof");
        Assert.Equal(MqttClientDisconnectReason.NotAuthorized, disconnected.Reason);
    }

    private static byte[] AuthProperties(string method, byte[]? data)
    {
        var properties = new List<byte> { 0x15, 0, (byte)method.Length };
        properties.AddRange(Encoding.UTF8.GetBytes(method));
        if (data is not null)
        {
            properties.AddRange([0x16, (byte)(data.Length >> 8), (byte)data.Length]);
            properties.AddRange(data);
        }

        return [.. properties];
    }

    private static byte[] RawAuth(byte reason, string method, byte[] data)
    {
        var properties = AuthProperties(method, data);
        return RawPackets.Frame(0xF0, [reason, (byte)properties.Length, .. properties]);
    }

    private static async Task<RawClient> StartRawExchangeAsync(BrokerFixture broker, string clientId)
    {
        var raw = await RawClient.OpenAsync(broker);
        await raw.SendAsync(RawPackets.Connect5(clientId, AuthProperties(ScramClient.Method, "n,,n=raw,r=abcdef"u8.ToArray())));
        var auth = await raw.ExpectAsync(15, $"{clientId} waits for AUTH 0x18 with server-first");
        Assert.Equal(0x18, auth.Body[0]);
        return raw;
    }

    /// <summary>
    /// MQTT-3.1.2-30: after a CONNECT with an Authentication Method only AUTH or DISCONNECT may come until CONNACK. The
    /// answer is CONNACK 0x82, not DISCONNECT: a server sends no DISCONNECT before a successful CONNACK (MQTT-3.14.0-1).
    /// </summary>
    [Fact]
    public async Task A_packet_other_than_AUTH_during_the_exchange_is_a_protocol_error()
    {
        using var raw = await StartRawExchangeAsync(broker, "scram-raw-ping");

        await raw.SendAsync(RawPackets.PingReq);

        var packets = await raw.ReadUntilClosedAsync("scram-raw-ping sent PINGREQ during the exchange");
        Assert.Equal(RawPacket.ConnAck, Assert.Single(packets).Type);
        Assert.Equal(0x82, packets[0].ReasonCode);
    }

    [Fact]
    public async Task A_PUBLISH_during_the_exchange_is_a_protocol_error()
    {
        using var raw = await StartRawExchangeAsync(broker, "scram-raw-publish");

        await raw.SendAsync(RawPackets.Publish("scram/raw", "early", RawPackets.V5));

        var packets = await raw.ReadUntilClosedAsync("scram-raw-publish sent PUBLISH during the exchange");
        Assert.Equal(0x82, Assert.Single(packets).ReasonCode);
    }

    [Fact]
    public async Task An_AUTH_with_another_method_during_the_exchange_is_a_protocol_error()
    {
        using var raw = await StartRawExchangeAsync(broker, "scram-raw-method");

        await raw.SendAsync(RawAuth(0x18, "PLAIN", "x"u8.ToArray()));

        var packets = await raw.ReadUntilClosedAsync("scram-raw-method sent AUTH with another method");
        Assert.Equal(0x82, Assert.Single(packets).ReasonCode);
    }

    [Fact]
    public async Task A_client_that_stops_half_way_through_the_exchange_is_closed_at_the_connect_timeout()
    {
        using var raw = await StartRawExchangeAsync(broker, "scram-raw-silent");

        // Mqtt:ConnectTimeoutSeconds=3 from the socket's opening, checked by the node's heartbeat once a second.
        var packets = await raw.ReadUntilClosedAsync("scram-raw-silent sent nothing after the server-first message", TimeSpan.FromSeconds(10));

        Assert.Empty(packets);
    }

    [Fact]
    public async Task A_CONNECT_with_the_method_but_no_client_first_message_is_refused_with_bad_user_name_or_password()
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(RawPackets.Connect5("scram-raw-nodata", AuthProperties(ScramClient.Method, null)));

        var packets = await raw.ReadUntilClosedAsync("scram-raw-nodata sent no Authentication Data");
        Assert.Equal(0x86, Assert.Single(packets).ReasonCode);
    }

    [Fact]
    public async Task A_3_1_1_client_is_not_offered_any_of_this_and_uses_its_password()
    {
        await PutUserAsync("frank", "pw");
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "scram-frank-311", MQTTnet.Formatter.MqttProtocolVersion.V311).WithCredentials("frank", "pw").Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.DisconnectAsync();
    }
}
