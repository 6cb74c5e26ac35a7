using RobustMq.Protocol;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// Why a CONNECT is refused, in both forms a CONNACK can carry: the MQTT 5 reason code (3.2.2.2) and the MQTT 3.1.x
/// return code (3.2.2.3). The connection answers CONNACK with the one its client's version reads, then closes.
/// </summary>
/// <param name="Reason">The CONNACK reason code for an MQTT 5 client (a value of 0x80 or above).</param>
/// <param name="ReturnCode">The CONNACK return code for an MQTT 3.1 or 3.1.1 client (1-5).</param>
public readonly record struct ConnectRefusal(ReasonCode Reason, ConnectReturnCode ReturnCode)
{
    /// <summary>The CONNACK code byte for a client of <paramref name="version"/>: the reason code on MQTT 5, else the return code.</summary>
    public byte CodeFor(MqttProtocolVersion version) =>
        version == MqttProtocolVersion.V500 ? (byte)Reason : (byte)ReturnCode;
}
