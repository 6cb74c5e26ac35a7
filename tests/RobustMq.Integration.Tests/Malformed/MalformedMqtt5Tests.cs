using System.Net.WebSockets;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Malformed;

/// <summary>
/// MQTT 5 input that breaks a property, string or topic rule is answered with its reason code before the close
/// (MQTT 5, 4.13.1): CONNACK when the CONNECT itself is bad (even though the connection is not connected yet),
/// DISCONNECT after it. Every expectation is the exact bytes on the wire, followed by the broker's close.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class MalformedMqtt5Tests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("property identifier 0x00", "101600044D5154540502003C010000086D352D70726F7030", 0x81)]
    [InlineData("Session Expiry Interval twice", "102100044D5154540502003C0A11000000011100000002000A6D352D65787069727932", 0x82)]
    [InlineData("Receive Maximum 0", "101B00044D5154540502003C03210000000B6D352D726563766D617830", 0x82)]
    [InlineData("client id containing U+0000", "101000044D5154540502003C000003610062", 0x81)]
    [InlineData("Authentication Data without Authentication Method", "101C00044D5154540502003C0416000178000B6D352D6175746864617461", 0x82)]
    [InlineData("Topic Alias, a PUBLISH-only property", "101800044D5154540502003C0323000100086D352D616C696173", 0x81)]
    [InlineData("will Response Topic with a wildcard", "102500044D5154540506003C00000B6D352D77696C6C7265737006080003722F23000177000178", 0x82)]
    [InlineData("will topic containing U+0000", "102000044D5154540506003C00000A6D352D77696C6C6E756C000003610062000178", 0x81)]
    public async Task Bad_mqtt5_connect_is_answered_with_connack_and_its_reason_code_then_closed(string what, string connectHex, byte reason)
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(Convert.FromHexString(connectHex));
        var packets = await raw.ReadUntilClosedAsync($"CONNECT with {what}");

        // CONNACK: no session present, the reason code, property length 0.
        Assert.Equal($"20-03-00-{reason:X2}-00", string.Join("; ", packets.Select(Bytes)));
    }

    [Fact]
    public async Task Bad_mqtt5_connect_over_websocket_is_answered_with_connack_and_its_reason_code_then_closed()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{broker.WebSocketPort}/mqtt"), timeout.Token);

        // CONNECT, MQTT 5, client id "a\0b".
        await socket.SendAsync(Convert.FromHexString("101000044D5154540502003C000003610062"), WebSocketMessageType.Binary, true, timeout.Token);
        var received = new List<byte>();
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, result.Count).ToArray());
            }
        }
        catch (WebSocketException)
        {
            // The broker closed the TCP connection under the WebSocket: closed as well.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"WebSocket CONNECT with U+0000 in the client id: not closed within 10 s (read {Convert.ToHexString([.. received])})");
        }

        Assert.Equal("2003008100", Convert.ToHexString([.. received]));
    }

    [Fact]
    public async Task Mqtt311_connect_with_a_client_id_containing_U0000_is_closed_without_a_connack()
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(Convert.FromHexString("100F00044D5154540402003C0003610062"));
        var packets = await raw.ReadUntilClosedAsync("MQTT 3.1.1 CONNECT with U+0000 in the client id");

        Assert.Empty(packets);
    }

    [Theory]
    [InlineData("m5-subid", "PUBLISH with a Subscription Identifier", "300E00086D352F7375626964020B0178", 0x82)]
    [InlineData("m5-resp-hash", "PUBLISH with a Response Topic containing '#'", "301100076D352F7265737006080003722F2378", 0x82)]
    [InlineData("m5-resp-plus", "PUBLISH with a Response Topic containing '+'", "301100076D352F7265737006080003722F2B78", 0x82)]
    [InlineData("m5-pub-expiry", "PUBLISH with Session Expiry Interval, a CONNECT property", "301200096D352F65787069727905110000000178", 0x81)]
    [InlineData("m5-sub-empty", "SUBSCRIBE with an empty topic filter", "8206000100000000", 0x81)]
    [InlineData("m5-unsub-empty", "UNSUBSCRIBE with an empty topic filter", "A2050001000000", 0x81)]
    public async Task Bad_mqtt5_packet_after_connect_is_answered_with_disconnect_and_its_reason_code_then_closed(string clientId, string what, string packetHex, byte reason)
    {
        using var bystander = await Bystander.ConnectAsync(broker, $"{clientId}-bystander");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(clientId, RawPackets.V5);

        await raw.SendAsync(Convert.FromHexString(packetHex));
        var packets = await raw.ReadUntilClosedAsync($"{clientId} after {what}");

        // DISCONNECT with the reason code and no properties (MQTT 5, 3.14.2.1: property length omitted).
        Assert.Equal($"E0-01-{reason:X2}", string.Join("; ", packets.Select(Bytes)));
        await bystander.ProveServedAsync($"after {clientId} was closed");
    }

    [Theory]
    [InlineData("m3-sub-empty", "SUBSCRIBE", "82050001000000")]
    [InlineData("m3-unsub-empty", "UNSUBSCRIBE", "A20400010000")]
    public async Task Mqtt311_empty_topic_filter_closes_the_connection_without_a_reply(string clientId, string what, string packetHex)
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(clientId, RawPackets.V311);

        await raw.SendAsync(Convert.FromHexString(packetHex));
        var packets = await raw.ReadUntilClosedAsync($"{clientId} after {what} with an empty topic filter");

        Assert.Empty(packets);
    }

    private static string Bytes(RawPacket packet) =>
        BitConverter.ToString([packet.FirstByte, (byte)packet.Body.Length, .. packet.Body]);
}
