using RobustMq.Abstractions.Options;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Malformed;

/// <summary>
/// A corpus of bad input, one row per way a packet can be wrong, every packet type, both protocol levels, each written
/// from the spec (MQTT 5.0 section 4.13 and the packet's own section; MQTT 3.1.1 section 4.8) and sent as raw bytes over
/// TCP to a real broker. The expectation is the exact bytes the broker sends before it closes the connection:
/// <list type="bullet">
/// <item>MQTT 5, after a CONNECT was accepted: DISCONNECT with the reason code (MQTT 5, 4.13.1: "SHOULD send a
/// DISCONNECT ... Use Reason Code 0x81 (Malformed Packet) or 0x82 (Protocol Error) unless a more specific Reason Code
/// has been defined"), then the close.</item>
/// <item>MQTT 5, a bad CONNECT: CONNACK with the reason code, then the close. 4.13.1 makes that CONNACK a MAY, so a close
/// without it is accepted too.</item>
/// <item>MQTT 3.1.1: the close and nothing before it (4.8; MQTT-3.1.4-1: a CONNECT that does not conform is closed
/// without a CONNACK).</item>
/// </list>
/// An expectation lists the answers the spec allows, separated by <c>|</c>; an empty one is a close with nothing before
/// it. Where the spec gives no reason code of its own, 0x81 and 0x82 are both allowed (4.13.1).
/// </summary>
// The decoder and the channel are each node's own: the cluster run (through its forwarder) would add time, not cover more.
[Trait("Topology", "SingleNode")]
public sealed class BadInputCorpusTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const byte V5 = RawPackets.V5;
    private const byte V311 = RawPackets.V311;

    /// <summary>A close with nothing before it.</summary>
    private const string Closed = "";
    private const string Malformed = "E0-01-81";
    private const string ProtocolError = "E0-01-82";
    private const string MalformedOrProtocolError = "E0-01-81|E0-01-82";

    /// <summary>MQTT-3.3.2-2 names no reason code; 0x90 Topic Name invalid is the more specific one 4.13.1 allows.</summary>
    private const string MalformedProtocolErrorOrTopicNameInvalid = "E0-01-81|E0-01-82|E0-01-90";
    private const string TopicAliasInvalid = "E0-01-94";
    private const string PacketTooLarge = "E0-01-95";

    // MQTT 5, 4.13.1: "In the case of an error in a CONNECT packet it MAY send a CONNACK packet containing the Reason
    // Code, before closing the Network Connection": CONNACK with the code, or nothing.
    private const string ConnAckMalformedOrClosed = "20-03-00-81-00|";
    private const string ConnAckMalformedOrProtocolErrorOrClosed = "20-03-00-81-00|20-03-00-82-00|";
    private const string ConnAckProtocolErrorOrClosed = "20-03-00-82-00|";

    // MQTT 5, 3.1.2.1 (MQTT-3.1.2-1): a wrong protocol name MAY be answered with CONNACK 0x84, else the close; the
    // version is not known yet, so the 3.1.1 form (return code 1, MQTT 3.1.1 3.1.2.2) is accepted too.
    private const string ConnAckUnsupportedOrClosed = "|20-03-00-84-00|20-02-00-01";

    // MQTT 3.1.1, MQTT-3.1.2-2: an unsupported level MUST be answered with CONNACK return code 1; MQTT 5, 3.1.2.2: MAY be
    // answered with CONNACK 0x84. The server cannot know which form the client reads, so either CONNACK, but one of them.
    private const string ConnAckUnsupported = "20-02-00-01|20-03-00-84-00";

    [Theory]
    [InlineData("wrong protocol name MQTX", V5, "101B00044D5154580502003C00000E636F727075732D63352D6E616D65", ConnAckUnsupportedOrClosed)]
    [InlineData("wrong protocol name MQTX", V311, "101A00044D5154580402003C000E636F727075732D63342D6E616D65", ConnAckUnsupportedOrClosed)]
    [InlineData("unsupported protocol level 6", V5, "101D00044D5154540602003C000010636F727075732D63352D6C6576656C36", ConnAckUnsupported)]
    [InlineData("protocol level 3 with the name MQTT (3.1 is MQIsdp)", V311, "101C00044D5154540302003C0010636F727075732D63342D6C6576656C33", ConnAckUnsupported)]
    // MQTT-3.1.2-3: the reserved flag must be 0; MQTT 5, 3.1.2.3: else it is a Malformed Packet.
    [InlineData("reserved connect flag bit 0 set", V5, "101F00044D5154540503003C000012636F727075732D63352D7265736572766564", ConnAckMalformedOrClosed)]
    [InlineData("reserved connect flag bit 0 set", V311, "101E00044D5154540403003C0012636F727075732D63342D7265736572766564", Closed)]
    // MQTT-3.1.2-12 (MQTT 5, 3.1.2.6): "A value of 3 (0x03) is a Malformed Packet".
    [InlineData("will QoS 3", V5, "102600044D515454051E003C000012636F727075732D63352D77696C6C716F733300000177000178", ConnAckMalformedOrClosed)]
    [InlineData("will QoS 3", V311, "102400044D515454041E003C0012636F727075732D63342D77696C6C716F7333000177000178", Closed)]
    // MQTT-3.1.2-13 (MQTT 5) / MQTT-3.1.2-15 (3.1.1): without the will flag, Will Retain must be 0; no reason code named.
    [InlineData("will retain without the will flag", V5, "102100044D5154540522003C000014636F727075732D63352D77696C6C72657461696E", ConnAckMalformedOrProtocolErrorOrClosed)]
    [InlineData("will retain without the will flag", V311, "102000044D5154540422003C0014636F727075732D63342D77696C6C72657461696E", Closed)]
    // MQTT-3.1.2-11 (MQTT 5) / MQTT-3.1.2-13 (3.1.1): without the will flag, Will QoS must be 0; no reason code named.
    [InlineData("will QoS 1 without the will flag", V5, "101E00044D515454050A003C000011636F727075732D63352D77696C6C716F73", ConnAckMalformedOrProtocolErrorOrClosed)]
    [InlineData("will QoS 1 without the will flag", V311, "101D00044D515454040A003C0011636F727075732D63342D77696C6C716F73", Closed)]
    // MQTT 3.1.1, MQTT-3.1.2-22: the password flag needs the user name flag (MQTT 5 allows a password alone).
    [InlineData("password flag without the user name flag", V311, "102100044D5154540442003C0012636F727075732D63342D70617373776F7264000170", Closed)]
    // The client id's length says 15 bytes; the remaining length ends the packet after 12 of them.
    [InlineData("remaining length 3 shorter than the content", V5, "101900044D5154540502003C00000F636F727075732D63352D7368", ConnAckMalformedOrClosed)]
    [InlineData("remaining length 3 shorter than the content", V311, "101800044D5154540402003C000F636F727075732D63342D7368", Closed)]
    // MQTT-1.5.4-1 (MQTT 5) / MQTT-1.5.3-1 (3.1.1): ill-formed UTF-8 is a Malformed Packet.
    [InlineData("client id with invalid UTF-8", V5, "101600044D5154540502003C000009636F727075732DC328", ConnAckMalformedOrClosed)]
    [InlineData("client id with invalid UTF-8", V311, "101500044D5154540402003C0009636F727075732DC328", Closed)]
    [InlineData("user name with invalid UTF-8", V5, "102000044D5154540582003C00000E636F727075732D63352D75736572000375C328", ConnAckMalformedOrClosed)]
    [InlineData("user name with invalid UTF-8", V311, "101F00044D5154540482003C000E636F727075732D63342D75736572000375C328", Closed)]
    [InlineData("will topic with invalid UTF-8", V5, "102800044D5154540506003C000012636F727075732D63352D77696C6C7574663800000377C328000178", ConnAckMalformedOrClosed)]
    [InlineData("will topic with invalid UTF-8", V311, "102600044D5154540406003C0012636F727075732D63342D77696C6C75746638000377C328000178", Closed)]
    // MQTT 5, 2.2.2: Property Length 64 with 19 bytes left in the packet.
    [InlineData("property length running past the end of the packet", V5, "102300044D5154540502003C4011000000010011636F727075732D63352D70726F706C656E", ConnAckMalformedOrClosed)]
    // MQTT-2.1.3-1: CONNECT's fixed header flags are reserved 0000; "If invalid flags are received it is a Malformed Packet".
    [InlineData("fixed header flags 0x1", V5, "111F00044D5154540502003C000012636F727075732D63352D686472666C616773", ConnAckMalformedOrClosed)]
    [InlineData("fixed header flags 0x1", V311, "111E00044D5154540402003C0012636F727075732D63342D686472666C616773", Closed)]
    // The fields the flags call for end before the remaining length does: 2 bytes no field accounts for.
    [InlineData("2 bytes after the last field", V5, "102100044D5154540502003C000012636F727075732D63352D747261696C696E670000", ConnAckMalformedOrClosed)]
    [InlineData("2 bytes after the last field", V311, "102000044D5154540402003C0012636F727075732D63342D747261696C696E670000", Closed)]
    [InlineData("user name flag without a user name", V5, "101D00044D5154540582003C000010636F727075732D63352D6E6F75736572", ConnAckMalformedOrClosed)]
    [InlineData("user name flag without a user name", V311, "101C00044D5154540482003C0010636F727075732D63342D6E6F75736572", Closed)]
    [InlineData("password flag without a password", V5, "101F00044D51545405C2003C00000F636F727075732D63352D6E6F707764000175", ConnAckMalformedOrClosed)]
    [InlineData("password flag without a password", V311, "101E00044D51545404C2003C000F636F727075732D63342D6E6F707764000175", Closed)]
    // MQTT-3.1.3-8: an empty client id with Clean Session 0 MUST get CONNACK 0x02, then the close (MQTT-3.1.3-9).
    [InlineData("empty client id with clean session 0", V311, "100C00044D5154540400003C0000", "20-02-00-02")]
    // MQTT 5, 3.1.2.11.4: "It is a Protocol Error ... for the value to be set to zero."
    [InlineData("Maximum Packet Size 0", V5, "102300044D5154540502003C0527000000000011636F727075732D63352D6D6178706B7430", ConnAckProtocolErrorOrClosed)]
    // MQTT 5, 3.1.2.11.7 / 3.1.2.11.6: "a value other than 0 or 1" is a Protocol Error.
    [InlineData("Request Problem Information 2", V5, "101D00044D5154540502003C021702000E636F727075732D63352D72706932", ConnAckProtocolErrorOrClosed)]
    [InlineData("Request Response Information 2", V5, "101D00044D5154540502003C021902000E636F727075732D63352D72726932", ConnAckProtocolErrorOrClosed)]
    // MQTT 5, 3.1.2.11.5: "It is a Protocol Error to include the Topic Alias Maximum value more than once."
    [InlineData("Topic Alias Maximum twice", V5, "102500044D5154540502003C062200012200020012636F727075732D63352D74616D7477696365", ConnAckProtocolErrorOrClosed)]
    // MQTT 5, 2.2.2.2: an identifier not valid for its place is a Malformed Packet.
    [InlineData("Will Delay Interval among the CONNECT properties", V5, "102500044D5154540502003C0518000000010013636F727075732D63352D77696C6C64656C6179", ConnAckMalformedOrClosed)]
    [InlineData("Session Expiry Interval among the will properties", V5, "102D00044D5154540506003C000014636F727075732D63352D77696C6C657870697279051100000001000177000178", ConnAckMalformedOrClosed)]
    // MQTT 5, 3.1.3.2.3: "It is a Protocol Error to include the Payload Format Indicator more than once."
    [InlineData("will Payload Format Indicator twice", V5, "102A00044D5154540506003C000012636F727075732D63352D77696C6C706669320401000100000177000178", ConnAckProtocolErrorOrClosed)]
    // MQTT-1.5.7-1: both strings of a User Property are UTF-8 Encoded Strings.
    [InlineData("User Property value with invalid UTF-8", V5, "102800044D5154540502003C092600016B000376C3280012636F727075732D63352D7573657270726F70", ConnAckMalformedOrClosed)]
    // MQTT-1.5.5-1: Property Length 0 in two bytes (80 00).
    [InlineData("property length 0 encoded in two bytes", V5, "102000044D5154540502003C80000012636F727075732D63352D70726F706C656E32", ConnAckMalformedOrClosed)]
    public Task Bad_connect_is_refused_then_closed(string what, byte level, string connectHex, string expected) =>
        AssertConnectRefusedAsync(what, level, connectHex, expected);

    [Theory]
    // MQTT 5, 3.3.1.2 (MQTT-3.3.1-4): "If a Server or Client receives a PUBLISH packet which has both QoS bits set to 1
    // it is a Malformed Packet."
    [InlineData("PUBLISH QoS 3", V5, "360700016100010078", Malformed)]
    [InlineData("PUBLISH QoS 3", V311, "3606000161000178", Closed)]
    // MQTT-3.3.1-2: DUP must be 0 on QoS 0; no reason code named.
    [InlineData("PUBLISH DUP set on QoS 0", V5, "38050001610078", MalformedOrProtocolError)]
    [InlineData("PUBLISH DUP set on QoS 0", V311, "380400016178", Closed)]
    // MQTT-2.2.1-3 (MQTT 5) / MQTT-2.3.1-1 (3.1.1): a PUBLISH with QoS > 0 has a non-zero packet identifier.
    [InlineData("PUBLISH QoS 1 packet id 0", V5, "320700016100000078", MalformedOrProtocolError)]
    [InlineData("PUBLISH QoS 1 packet id 0", V311, "3206000161000078", Closed)]
    [InlineData("PUBLISH QoS 2 packet id 0", V5, "340700016100000078", MalformedOrProtocolError)]
    [InlineData("PUBLISH QoS 2 packet id 0", V311, "3406000161000078", Closed)]
    // MQTT-3.3.2-2: the topic name must not contain wildcard characters.
    [InlineData("PUBLISH topic a/+", V5, "30070003612F2B0078", MalformedProtocolErrorOrTopicNameInvalid)]
    [InlineData("PUBLISH topic a/+", V311, "30060003612F2B78", Closed)]
    [InlineData("PUBLISH topic a/#", V5, "30070003612F230078", MalformedProtocolErrorOrTopicNameInvalid)]
    [InlineData("PUBLISH topic a/#", V311, "30060003612F2378", Closed)]
    // MQTT-1.5.4-1 / MQTT-1.5.4-2 (MQTT 5), MQTT-1.5.3-1 / MQTT-1.5.3-2 (3.1.1): ill-formed UTF-8 and U+0000 are malformed.
    [InlineData("PUBLISH topic with invalid UTF-8", V5, "3007000361C3280078", Malformed)]
    [InlineData("PUBLISH topic with invalid UTF-8", V311, "3006000361C32878", Closed)]
    [InlineData("PUBLISH topic with U+0000", V5, "300700036100620078", Malformed)]
    [InlineData("PUBLISH topic with U+0000", V311, "3006000361006278", Closed)]
    // MQTT-1.5.4-1: "MUST NOT include encodings of code points between U+D800 and U+DFFF"; overlong forms are ill-formed.
    [InlineData("PUBLISH topic with the surrogate U+D800", V5, "3008000461EDA0800078", Malformed)]
    [InlineData("PUBLISH topic with the surrogate U+D800", V311, "3007000461EDA08078", Closed)]
    [InlineData("PUBLISH topic with the overlong encoding C0 AF", V5, "3007000361C0AF0078", Malformed)]
    [InlineData("PUBLISH topic with the overlong encoding C0 AF", V311, "3006000361C0AF78", Closed)]
    [InlineData("PUBLISH topic length 5 past the end of the packet", V5, "3003000561", Malformed)]
    [InlineData("PUBLISH topic length 5 past the end of the packet", V311, "3003000561", Closed)]
    [InlineData("PUBLISH QoS 1 without its packet id", V5, "3203000161", Malformed)]
    [InlineData("PUBLISH QoS 1 without its packet id", V311, "3203000161", Closed)]
    // MQTT 3.1.1, MQTT-4.7.3-1: topic names are at least one character long.
    [InlineData("PUBLISH empty topic", V311, "3003000078", Closed)]
    // MQTT 5, 3.3.2.1: "It is a Protocol Error if the Topic Name is zero length and there is no Topic Alias."
    [InlineData("PUBLISH empty topic without a Topic Alias", V5, "300400000078", ProtocolError)]
    // MQTT 5, 3.3.4: a zero length topic with an alias that has no mapping "is a Protocol Error" (0x82).
    [InlineData("PUBLISH empty topic with Topic Alias 5 never set", V5, "300700000323000578", ProtocolError)]
    // MQTT 5, 3.3.4 (MQTT-3.3.2-9): above the Topic Alias Maximum the broker announced (64,
    // MqttOptions.DefaultTopicAliasMaximum): DISCONNECT 0x94.
    [InlineData("PUBLISH Topic Alias 65 above the maximum 64", V5, "30080001610323004178", TopicAliasInvalid)]
    // MQTT 5, 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its packet type ... is a
    // Malformed Packet."
    [InlineData("PUBLISH with Session Expiry Interval, a CONNECT property", V5, "300A00016105110000000178", Malformed)]
    [InlineData("PUBLISH with property identifier 0", V5, "300700016102000078", Malformed)]
    [InlineData("PUBLISH property length 5 past the end of the packet", V5, "3006000161050100", Malformed)]
    // MQTT 5, 3.3.2.3.2: "It is a Protocol Error to include the Payload Format Indicator more than once."
    [InlineData("PUBLISH with Payload Format Indicator twice", V5, "3009000161040100010078", ProtocolError)]
    // MQTT 5, 3.3.2.3.4: "It is a Protocol Error to include the Topic Alias value more than once."
    [InlineData("PUBLISH with Topic Alias twice", V5, "300B0001610623000123000278", ProtocolError)]
    // MQTT 5, 3.3.2.3.3 / 3.3.2.3.9 / 3.3.2.3.6: Message Expiry Interval, Content Type, Correlation Data more than once.
    [InlineData("PUBLISH with Message Expiry Interval twice", V5, "300F0001610A0200000001020000000278", ProtocolError)]
    [InlineData("PUBLISH with Content Type twice", V5, "300D00016108030001740300017578", ProtocolError)]
    [InlineData("PUBLISH with Correlation Data twice", V5, "300D00016108090001630900016478", ProtocolError)]
    [InlineData("PUBLISH with Content Type of invalid UTF-8", V5, "300A00016105030002C32878", Malformed)]
    [InlineData("PUBLISH with a User Property name of invalid UTF-8", V5, "300D00016108260002C32800017678", Malformed)]
    [InlineData("PUBLISH property length 0 encoded in two bytes", V5, "3006000161800078", Malformed)]
    // MQTT 5, 3.3.2.3.2: the Payload Format Indicator is 0 or 1; no reason code named for 2.
    [InlineData("PUBLISH with Payload Format Indicator 2", V5, "300700016102010278", MalformedOrProtocolError)]
    // MQTT-3.3.4-6: a PUBLISH from a client must not contain a Subscription Identifier.
    [InlineData("PUBLISH with a Subscription Identifier from a client", V5, "3007000161020B0178", ProtocolError)]
    // MQTT-3.3.2-14: the Response Topic must not contain wildcards (MQTT 5, 3.3.2.3.5).
    [InlineData("PUBLISH with Response Topic r/#", V5, "300B00016106080003722F2378", ProtocolError)]
    // MQTT-3.2.2-15 / MQTT 5, 3.2.2.3.6: larger than the Maximum Packet Size the broker announced (1 MiB,
    // MqttOptions.DefaultMaxPacketSize): DISCONNECT 0x95. Only the fixed header is sent: it is enough to know.
    [InlineData("PUBLISH remaining length 2097152 above Maximum Packet Size", V5, "3080808001", PacketTooLarge)]
    // MQTT-2.1.3-1: "If invalid flags are received it is a Malformed Packet" (PUBACK 0x40, PUBREC 0x50, PUBREL 0x62,
    // PUBCOMP 0x70 exactly).
    [InlineData("PUBACK flags 0x1", V5, "41020001", Malformed)]
    [InlineData("PUBACK flags 0x1", V311, "41020001", Closed)]
    [InlineData("PUBREC flags 0x1", V5, "51020001", Malformed)]
    [InlineData("PUBREC flags 0x1", V311, "51020001", Closed)]
    [InlineData("PUBREL flags 0x0", V5, "60020001", Malformed)]
    [InlineData("PUBREL flags 0x0", V311, "60020001", Closed)]
    [InlineData("PUBREL flags 0x3", V5, "63020001", Malformed)]
    [InlineData("PUBREL flags 0x3", V311, "63020001", Closed)]
    [InlineData("PUBCOMP flags 0x2", V5, "72020001", Malformed)]
    [InlineData("PUBCOMP flags 0x2", V311, "72020001", Closed)]
    // The packet identifier is two bytes: remaining length 1 cannot hold it.
    [InlineData("PUBACK remaining length 1", V5, "400100", Malformed)]
    [InlineData("PUBACK remaining length 1", V311, "400100", Closed)]
    [InlineData("PUBREC remaining length 1", V5, "500100", Malformed)]
    [InlineData("PUBREC remaining length 1", V311, "500100", Closed)]
    [InlineData("PUBREL remaining length 1", V5, "620100", Malformed)]
    [InlineData("PUBREL remaining length 1", V311, "620100", Closed)]
    [InlineData("PUBCOMP remaining length 1", V5, "700100", Malformed)]
    [InlineData("PUBCOMP remaining length 1", V311, "700100", Closed)]
    // MQTT 3.1.1, 3.4.1: PUBACK's remaining length is 2.
    [InlineData("PUBACK remaining length 3", V311, "4003000100", Closed)]
    // MQTT-2.2.1-5: an acknowledgement carries the packet identifier of its PUBLISH, never 0 (MQTT-2.2.1-3).
    [InlineData("PUBACK packet id 0", V5, "40020000", MalformedOrProtocolError)]
    [InlineData("PUBACK packet id 0", V311, "40020000", Closed)]
    [InlineData("PUBREC packet id 0", V5, "50020000", MalformedOrProtocolError)]
    [InlineData("PUBREC packet id 0", V311, "50020000", Closed)]
    [InlineData("PUBREL packet id 0", V5, "62020000", MalformedOrProtocolError)]
    [InlineData("PUBREL packet id 0", V311, "62020000", Closed)]
    [InlineData("PUBCOMP packet id 0", V5, "70020000", MalformedOrProtocolError)]
    [InlineData("PUBCOMP packet id 0", V311, "70020000", Closed)]
    // MQTT 5, 3.4.2.1 / 3.6.2.1: only the listed reason codes exist; no reason code named for another one.
    [InlineData("PUBACK reason code 0x05, not a PUBACK reason code", V5, "4003000105", MalformedOrProtocolError)]
    [InlineData("PUBREL reason code 0x10, not a PUBREL reason code", V5, "6203000110", MalformedOrProtocolError)]
    [InlineData("PUBACK property length 5 past the end of the packet", V5, "400400010005", Malformed)]
    // MQTT-3.8.1-1: SUBSCRIBE's fixed header flags are 0010; anything else is malformed.
    [InlineData("SUBSCRIBE flags 0x0", V5, "800700010000016100", Malformed)]
    [InlineData("SUBSCRIBE flags 0x0", V311, "8006000100016100", Closed)]
    [InlineData("SUBSCRIBE flags 0x3", V5, "830700010000016100", Malformed)]
    [InlineData("SUBSCRIBE flags 0x3", V311, "8306000100016100", Closed)]
    // MQTT 5, 3.8.3 (MQTT-3.8.3-2): "A SUBSCRIBE packet with no Payload is a Protocol Error" (3.1.1: MQTT-3.8.3-3).
    [InlineData("SUBSCRIBE without a topic filter", V5, "8203000100", ProtocolError)]
    [InlineData("SUBSCRIBE without a topic filter", V311, "82020001", Closed)]
    // MQTT-3.8.3-5 (MQTT 5): reserved bits 6-7 of the options set is malformed; 3.1.1 MQTT-3-8.3-4: bits 2-7.
    [InlineData("SUBSCRIBE options with reserved bit 6 set", V5, "820700010000016140", Malformed)]
    [InlineData("SUBSCRIBE options with reserved bit 7 set", V5, "820700010000016180", Malformed)]
    [InlineData("SUBSCRIBE options with reserved bit 2 set", V311, "8206000100016104", Closed)]
    // MQTT 5, 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3" (3.1.1 MQTT-3-8.3-4: malformed).
    [InlineData("SUBSCRIBE options with QoS 3", V5, "820700010000016103", ProtocolError)]
    [InlineData("SUBSCRIBE options with QoS 3", V311, "8206000100016103", Closed)]
    // MQTT 5, 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3."
    [InlineData("SUBSCRIBE options with Retain Handling 3", V5, "820700010000016130", ProtocolError)]
    // MQTT-2.2.1-3: a SUBSCRIBE has a non-zero packet identifier.
    [InlineData("SUBSCRIBE packet id 0", V5, "820700000000016100", MalformedOrProtocolError)]
    [InlineData("SUBSCRIBE packet id 0", V311, "8206000000016100", Closed)]
    [InlineData("SUBSCRIBE filter with invalid UTF-8", V5, "8209000100000361C32800", Malformed)]
    [InlineData("SUBSCRIBE filter with invalid UTF-8", V311, "82080001000361C32800", Closed)]
    [InlineData("SUBSCRIBE filter without its options byte", V5, "8206000100000161", Malformed)]
    [InlineData("SUBSCRIBE filter without its options byte", V311, "82050001000161", Closed)]
    // MQTT 5, 3.8.2.1.2: "It is a Protocol Error if the Subscription Identifier has a value of 0."
    // MQTT-3.8.3-4: "It is a Protocol Error to set the No Local bit to 1 on a Shared Subscription."
    [InlineData("SUBSCRIBE $share/g/a with No Local", V5, "8210000100000A2473686172652F672F6104", ProtocolError)]
    [InlineData("SUBSCRIBE with Subscription Identifier 0", V5, "82090001020B0000016100", ProtocolError)]
    // MQTT 5, 3.8.2.1.2: "It is a Protocol Error to include the Subscription Identifier more than once."
    [InlineData("SUBSCRIBE with Subscription Identifier twice", V5, "820B0001040B010B0200016100", ProtocolError)]
    // MQTT-1.5.5-1: Subscription Identifier 1 in two bytes (81 00).
    [InlineData("SUBSCRIBE with Subscription Identifier 1 encoded in two bytes", V5, "820A0001030B810000016100", Malformed)]
    [InlineData("SUBSCRIBE filter with the surrogate U+D800", V5, "820A000100000461EDA08000", Malformed)]
    [InlineData("SUBSCRIBE filter with the surrogate U+D800", V311, "82090001000461EDA08000", Closed)]
    [InlineData("SUBSCRIBE with Topic Alias, a PUBLISH property", V5, "820A00010323000100016100", Malformed)]
    [InlineData("SUBSCRIBE property length 32 past the end of the packet", V5, "820700012000016100", Malformed)]
    // MQTT-3.10.1-1: UNSUBSCRIBE's fixed header flags are 0010.
    [InlineData("UNSUBSCRIBE flags 0x0", V5, "A006000100000161", Malformed)]
    [InlineData("UNSUBSCRIBE flags 0x0", V311, "A0050001000161", Closed)]
    [InlineData("UNSUBSCRIBE flags 0x3", V5, "A306000100000161", Malformed)]
    [InlineData("UNSUBSCRIBE flags 0x3", V311, "A3050001000161", Closed)]
    // MQTT 5, 3.10.3 (MQTT-3.10.3-2): "An UNSUBSCRIBE packet with no Payload is a Protocol Error."
    [InlineData("UNSUBSCRIBE without a topic filter", V5, "A203000100", ProtocolError)]
    [InlineData("UNSUBSCRIBE without a topic filter", V311, "A2020001", Closed)]
    [InlineData("UNSUBSCRIBE packet id 0", V5, "A206000000000161", MalformedOrProtocolError)]
    [InlineData("UNSUBSCRIBE packet id 0", V311, "A2050000000161", Closed)]
    [InlineData("UNSUBSCRIBE filter with invalid UTF-8", V5, "A208000100000361C328", Malformed)]
    [InlineData("UNSUBSCRIBE filter with invalid UTF-8", V311, "A2070001000361C328", Closed)]
    [InlineData("UNSUBSCRIBE with Topic Alias, a PUBLISH property", V5, "A209000103230001000161", Malformed)]
    // MQTT 5, 3.12: PINGREQ has no variable header and no payload; MQTT-2.1.3-1: its flags are 0000.
    [InlineData("PINGREQ remaining length 1", V5, "C00100", Malformed)]
    [InlineData("PINGREQ remaining length 1", V311, "C00100", Closed)]
    [InlineData("PINGREQ flags 0x1", V5, "C100", Malformed)]
    [InlineData("PINGREQ flags 0x1", V311, "C100", Closed)]
    // MQTT-2.1.3-1 (3.1.1: MQTT-3.14.1-1): DISCONNECT's flags are 0000. On 3.1.1 the close is all that can be seen.
    [InlineData("DISCONNECT flags 0x1", V5, "E100", Malformed)]
    [InlineData("DISCONNECT flags 0x1", V311, "E100", Closed)]
    [InlineData("DISCONNECT remaining length 1", V311, "E00100", Closed)]
    // MQTT 5, 3.14.2.1: only the listed reason codes exist.
    [InlineData("DISCONNECT reason code 0x05, not a DISCONNECT reason code", V5, "E00105", MalformedOrProtocolError)]
    [InlineData("DISCONNECT property length 5 past the end of the packet", V5, "E0020005", Malformed)]
    // MQTT-3.14.2-2: a non-zero Session Expiry Interval after 0 at CONNECT "is a Protocol Error".
    [InlineData("DISCONNECT Session Expiry Interval 3600 after 0 at CONNECT", V5, "E00700051100000E10", ProtocolError)]
    [InlineData("DISCONNECT with Topic Alias, a PUBLISH property", V5, "E0050003230001", Malformed)]
    // MQTT 5, 3.14.2.2.2 / 3.14.2.2.3: Session Expiry Interval, Reason String more than once.
    [InlineData("DISCONNECT with Session Expiry Interval twice", V5, "E00C000A11000000001100000000", ProtocolError)]
    [InlineData("DISCONNECT with Reason String twice", V5, "E00A00081F0001611F000162", ProtocolError)]
    // MQTT 5, 4.12 (MQTT-4.12.0-1 ...): without an Authentication Method at CONNECT the client must not send AUTH:
    // a Protocol Error.
    [InlineData("AUTH without an Authentication Method at CONNECT", V5, "F000", ProtocolError)]
    [InlineData("AUTH Continue authentication without an Authentication Method at CONNECT", V5, "F0021800", ProtocolError)]
    [InlineData("AUTH flags 0x1", V5, "F100", Malformed)]
    // MQTT 3.1.1, 2.2.1: type 15 is reserved.
    [InlineData("AUTH, a reserved packet type in 3.1.1", V311, "F000", Closed)]
    // MQTT 5, 2.1.2: type 0 is reserved and forbidden.
    [InlineData("reserved packet type 0", V5, "0000", MalformedOrProtocolError)]
    [InlineData("reserved packet type 0", V311, "0000", Closed)]
    // MQTT 5, 2.1.2: these go from the server to the client only; no reason code named.
    [InlineData("CONNACK from a client", V5, "2003000000", MalformedOrProtocolError)]
    [InlineData("CONNACK from a client", V311, "20020000", Closed)]
    [InlineData("SUBACK from a client", V5, "900400010000", MalformedOrProtocolError)]
    [InlineData("SUBACK from a client", V311, "9003000100", Closed)]
    [InlineData("UNSUBACK from a client", V5, "B00400010000", MalformedOrProtocolError)]
    [InlineData("UNSUBACK from a client", V311, "B0020001", Closed)]
    [InlineData("PINGRESP from a client", V5, "D000", MalformedOrProtocolError)]
    [InlineData("PINGRESP from a client", V311, "D000", Closed)]
    // MQTT 5, 3.3.4 (MQTT-3.3.2-8): "A Topic Alias value of 0 or greater than the Maximum Topic Alias is a Protocol
    // Error, the receiver uses DISCONNECT with Reason Code of 0x94 (Topic Alias invalid)".
    [InlineData("PUBLISH Topic Alias 0", V5, "30080001610323000078", TopicAliasInvalid)]
    public Task Bad_packet_after_connect_is_answered_with_disconnect_on_mqtt5_then_closed(string what, byte level, string packetHex, string expected) =>
        AssertClosedAfterConnectAsync(what, level, packetHex, expected);

    /// <summary>
    /// A topic filter that breaks MQTT-4.7.1-1 / MQTT-4.7.1-2 (wildcard placement). The spec names no answer: SUBACK's
    /// 0x8F (MQTT 5, 3.9.3; 0x80 Failure in 3.1.1) is for a filter "correctly formed but ... not allowed", while a filter
    /// that is not correctly formed is a Malformed Packet under 4.13.1. Either is accepted: the failure in SUBACK with
    /// the connection kept, or DISCONNECT 0x81/0x82 (MQTT 5) and the close.
    /// </summary>
    [Theory]
    [InlineData("a/#/b", V5)]
    [InlineData("a/#/b", V311)]
    [InlineData("a#", V5)]
    [InlineData("a/b+", V311)]
    // MQTT-4.8.2-1 / MQTT-4.8.2-2: a ShareName has no wildcard and is followed by "/" and a Topic Filter.
    [InlineData("$share/g", V5)]
    [InlineData("$share/g+/a", V5)]
    public async Task Subscribe_to_a_badly_formed_filter_is_refused_in_suback_or_closed(string filter, byte level)
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync($"corpus-{level}-filter-{filter.Replace('/', '_').Replace('#', 'H').Replace('+', 'P')}", level);

        var subscribe = RawPackets.Subscribe(1, filter, level);
        await raw.SendAsync(subscribe);
        var answer = await raw.ReadAsync($"SUBSCRIBE to {filter} (level {level})");

        var refusedInSubAck = level == V5 ? "90-04-00-01-00-8F" : "90-03-00-01-80";
        if (answer is { Type: RawPacket.SubAck })
        {
            Assert.Equal(refusedInSubAck, Hex(answer));
            return;
        }

        var rest = await raw.ReadUntilClosedAsync($"SUBSCRIBE to {filter} (level {level}), after {answer?.ToString() ?? "the close"}");
        var received = Describe(answer is null ? rest : [answer, .. rest]);
        var allowed = level == V5 ? new[] { refusedInSubAck, Malformed, ProtocolError } : [refusedInSubAck, Closed];
        Assert.True(allowed.Contains(received), $"SUBSCRIBE {Convert.ToHexString(subscribe)}: expected one of [{string.Join(" | ", allowed)}], got [{received}] then the close");
    }

    /// <summary>
    /// MQTT 5, 3.3.2.3.2: with Payload Format Indicator 1 the payload is UTF-8; "A receiver MAY validate that the Payload
    /// is of the format indicated, and if it is not send a PUBACK, PUBREC, or DISCONNECT with Reason Code of 0x99
    /// (Payload format invalid)". QoS 1, so every allowed answer is a packet: PUBACK 0x99, DISCONNECT 0x99 and the close,
    /// or (not validated) PUBACK 0x00 / 0x10 No matching subscribers.
    /// </summary>
    [Fact]
    public async Task Publish_marked_utf8_with_a_payload_that_is_not_utf8_is_answered_as_the_spec_allows()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("corpus-5-payload-format", V5);

        // PUBLISH QoS 1, topic "corpus/pfi", id 1, Payload Format Indicator 1, payload C3 28.
        await raw.SendAsync(Convert.FromHexString("3213000A636F727075732F7066690001020101C328"));
        var answer = await raw.ReadAsync("PUBLISH with Payload Format Indicator 1 and payload C3 28");

        Assert.NotNull(answer);
        if (answer.Type == RawPacket.PubAck)
        {
            Assert.Contains(Hex(answer), new[] { "40-03-00-01-99", "40-02-00-01", "40-03-00-01-00", "40-03-00-01-10" });
            return;
        }

        var rest = await raw.ReadUntilClosedAsync("after DISCONNECT for a payload that is not UTF-8");
        Assert.Equal("E0-01-99", Describe([answer, .. rest]));
    }

    /// <summary>
    /// MQTT 5, 3.1.3.2.3: a will with Payload Format Indicator 1 has a UTF-8 payload; "The Server MAY validate that the
    /// Will Message is of the format indicated, and if it is not send a CONNACK with the Reason Code of 0x99 (Payload
    /// format invalid)". Either CONNACK 0x99 and the close, or (not validated) the CONNECT accepted.
    /// </summary>
    [Fact]
    public async Task Will_marked_utf8_with_a_payload_that_is_not_utf8_is_answered_as_the_spec_allows()
    {
        using var raw = await RawClient.OpenAsync(broker);

        // CONNECT, will flag, will properties: Payload Format Indicator 1; will topic "w", will payload C3 28.
        await raw.SendAsync(Convert.FromHexString("102C00044D5154540506003C000015636F727075732D63352D77696C6C7061796C6F61640201010001770002C328"));
        var answer = await raw.ReadAsync("CONNECT with a will marked UTF-8 whose payload is C3 28");

        Assert.NotNull(answer);
        Assert.Equal(RawPacket.ConnAck, answer.Type);
        if (answer.ReasonCode == 0)
        {
            return;
        }

        var rest = await raw.ReadUntilClosedAsync("after CONNACK for a will payload that is not UTF-8");
        Assert.Equal("20-03-00-99-00", Describe([answer, .. rest]));
    }

    /// <summary>
    /// MQTT 5, 1.5.5 (MQTT-1.5.5-1): a Variable Byte Integer, which Remaining Length is (2.1.4), "MUST use the minimum
    /// number of bytes necessary"; a packet that breaks it does not conform (0x81). MQTT 3.1.1, 2.2.3 has no such rule:
    /// there the broker may read 0x80 0x00 as 0 (PINGRESP) or close.
    /// </summary>
    [Theory]
    [InlineData(V5)]
    [InlineData(V311)]
    public async Task Pingreq_with_remaining_length_0_in_two_bytes_is_answered_as_the_spec_allows(byte level)
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync($"corpus-{level}-long-length", level);

        await raw.SendAsync([0xC0, 0x80, 0x00]);
        var answer = await raw.ReadAsync($"PINGREQ C0 80 00 (level {level})");

        if (level == V311 && answer is not null)
        {
            Assert.Equal("D0-00", Hex(answer));
            return;
        }

        var rest = await raw.ReadUntilClosedAsync($"PINGREQ C0 80 00 (level {level}), after {answer?.ToString() ?? "the close"}");
        Assert.Equal(level == V5 ? Malformed : Closed, Describe(answer is null ? rest : [answer, .. rest]));
    }

    /// <summary>
    /// MQTT 5, 3.3.4 (MQTT-3.3.4-9): a client must not have more unacknowledged QoS 1/2 PUBLISH than the Receive Maximum
    /// the broker announced (128, MqttOptions.DefaultReceiveMaximum); one more is answered with DISCONNECT 0x93. QoS 2
    /// without PUBREL keeps each one unacknowledged (no PUBCOMP).
    /// </summary>
    [Fact]
    public async Task Qos2_publish_beyond_the_receive_maximum_is_answered_with_disconnect_0x93()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("corpus-5-receive-maximum", V5);

        var burst = new List<byte>();
        for (var id = 1; id <= MqttOptions.DefaultReceiveMaximum + 1; id++)
        {
            // PUBLISH QoS 2, topic "corpus/rm", packet id, no properties, no payload.
            burst.AddRange(RawPackets.Publish5("corpus/rm", [], "", qos: 2, packetId: (ushort)id));
        }

        await raw.SendAsync([.. burst]);
        var packets = await raw.ReadUntilClosedAsync("QoS 2 PUBLISH one beyond the receive maximum");

        Assert.Equal(MqttOptions.DefaultReceiveMaximum, packets.Count(p => p.Type == RawPacket.PubRec && (p.Body.Length == 2 || p.Body[2] < 0x80)));
        Assert.Equal("E0-01-93", Hex(packets[^1]));
        Assert.Equal(MqttOptions.DefaultReceiveMaximum + 1, packets.Count);
    }

    /// <summary>
    /// A bad DISCONNECT is a protocol violation, not a normal disconnection: the server closes the connection and the will
    /// is published (MQTT 3.1.1, 3.1.2.5: "The Server closes the Network Connection because of a protocol error"; MQTT 5,
    /// 3.1.2.5: only a DISCONNECT with Reason Code 0x00 deletes the will, and a Malformed Packet is not one). This tells a
    /// bad DISCONNECT apart from a good one on 3.1.1, where the close looks the same.
    /// </summary>
    [Theory]
    [InlineData("flags 0x1", V311, "E100", Closed)]
    [InlineData("remaining length 1", V311, "E00100", Closed)]
    [InlineData("flags 0x1", V5, "E100", Malformed)]
    [InlineData("property length 5 past the end of the packet", V5, "E0020005", Malformed)]
    public async Task Bad_disconnect_closes_the_connection_and_publishes_the_will(string what, byte level, string disconnectHex, string expected)
    {
        var clientId = ClientId(level, "will-" + what);
        var willTopic = $"corpus/will/{clientId}";
        using var watcher = await RawClient.OpenAsync(broker);
        await watcher.ConnectAsync(clientId + "-watcher", level);
        await watcher.SendAsync(RawPackets.Subscribe(1, willTopic, level));
        await watcher.ExpectAsync(RawPacket.SubAck, $"{clientId}-watcher waits for SUBACK");

        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(clientId, level, will: new RawWill(willTopic, "gone"));
        await raw.SendAsync(Convert.FromHexString(disconnectHex));
        var packets = await raw.ReadUntilClosedAsync($"level {level} after DISCONNECT with {what}");

        AssertOneOf(expected, packets, $"level {level}, DISCONNECT with {what}: {disconnectHex}");
        var will = await watcher.ExpectAsync(RawPacket.Publish, $"{clientId}-watcher waits for the will of a client closed for a bad DISCONNECT");
        Assert.Equal((willTopic, "gone"), (will.Topic, will.PayloadText(level)));
    }

    private async Task AssertConnectRefusedAsync(string what, byte level, string connectHex, string expected)
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(Convert.FromHexString(connectHex));
        var packets = await raw.ReadUntilClosedAsync($"CONNECT (level {level}) with {what}");

        AssertOneOf(expected, packets, $"CONNECT (level {level}) with {what}: {connectHex}");
    }

    private async Task AssertClosedAfterConnectAsync(string what, byte level, string packetHex, string expected)
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(ClientId(level, what), level);

        await raw.SendAsync(Convert.FromHexString(packetHex));
        var packets = await raw.ReadUntilClosedAsync($"level {level} after {what}");

        AssertOneOf(expected, packets, $"level {level}, {what}: {packetHex}");
    }

    private static void AssertOneOf(string expected, List<RawPacket> packets, string phase)
    {
        var received = Describe(packets);
        var allowed = expected.Split('|');
        Assert.True(allowed.Contains(received), $"{phase}: expected one of [{string.Join(" | ", allowed.Select(a => a.Length == 0 ? "nothing" : a))}] then the close, got [{(received.Length == 0 ? "nothing" : received)}] then the close");
    }

    /// <summary>A client id unique to the case: corpus-, the level, then the case's letters and digits.</summary>
    private static string ClientId(byte level, string what) =>
        $"corpus-{level}-{new string([.. what.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')])}";

    private static string Describe(IEnumerable<RawPacket> packets) => string.Join("; ", packets.Select(Hex));

    /// <summary>The packet as it was on the wire, fixed header included: "E0-01-81".</summary>
    private static string Hex(RawPacket packet) => BitConverter.ToString(RawPackets.Frame(packet.FirstByte, packet.Body));
}
