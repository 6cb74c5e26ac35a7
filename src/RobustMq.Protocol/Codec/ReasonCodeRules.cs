namespace RobustMq.Protocol.Codec;

/// <summary>Which reason codes each MQTT 5 packet may carry (sections 3.2.2.2, 3.4.2.1 ... 3.15.2.1).</summary>
internal static class ReasonCodeRules
{
    // MQTT 5, 3.2.2.2.
    private static ReadOnlySpan<byte> ConnAck =>
        [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F];

    // MQTT 5, 3.4.2.1 and 3.5.2.1.
    private static ReadOnlySpan<byte> PubAckPubRec => [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

    // MQTT 5, 3.6.2.1 and 3.7.2.1.
    private static ReadOnlySpan<byte> PubRelPubComp => [0x00, 0x92];

    // MQTT 5, 3.9.3.
    private static ReadOnlySpan<byte> SubAck => [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2];

    // MQTT 3.1.1, 3.9.3: granted QoS 0-2 or 0x80 failure.
    private static ReadOnlySpan<byte> SubAckV3 => [0x00, 0x01, 0x02, 0x80];

    // MQTT 5, 3.11.3.
    private static ReadOnlySpan<byte> UnsubAck => [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];

    // MQTT 5, 3.14.2.1.
    private static ReadOnlySpan<byte> Disconnect =>
    [
        0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
        0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
    ];

    // MQTT 5, 3.15.2.1.
    private static ReadOnlySpan<byte> Auth => [0x00, 0x18, 0x19];

    public static void EnsureConnAck(byte code, MqttProtocolVersion version)
    {
        // MQTT 3.1.1, 3.2.2.3: return codes 0-5; 6-255 are reserved.
        var valid = version == MqttProtocolVersion.V500 ? ConnAck.Contains(code) : code <= 5;
        Ensure(valid, code, "CONNACK");
    }

    public static void EnsurePublishResponse(byte code, bool pubRelOrPubComp) =>
        Ensure(pubRelOrPubComp ? PubRelPubComp.Contains(code) : PubAckPubRec.Contains(code), code, pubRelOrPubComp ? "PUBREL/PUBCOMP" : "PUBACK/PUBREC");

    public static void EnsureSubAck(byte code, MqttProtocolVersion version) =>
        Ensure(version == MqttProtocolVersion.V500 ? SubAck.Contains(code) : SubAckV3.Contains(code), code, "SUBACK");

    public static void EnsureUnsubAck(byte code) => Ensure(UnsubAck.Contains(code), code, "UNSUBACK");

    public static void EnsureDisconnect(byte code) => Ensure(Disconnect.Contains(code), code, "DISCONNECT");

    public static void EnsureAuth(byte code) => Ensure(Auth.Contains(code), code, "AUTH");

    private static void Ensure(bool valid, byte code, string packetName)
    {
        if (!valid)
        {
            throw ProtocolErrors.ProtocolError($"reason code 0x{code:X2} is not valid in {packetName}");
        }
    }
}
