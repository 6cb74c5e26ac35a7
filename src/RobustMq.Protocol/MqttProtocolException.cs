using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol;

/// <summary>Bad bytes or a broken protocol rule. Only the connection loop turns it into CONNACK, DISCONNECT or a close.</summary>
public sealed class MqttProtocolException : Exception
{
    public MqttProtocolException(ReasonCode reasonCode, string message)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    public ReasonCode ReasonCode { get; }

    /// <summary>
    /// When the failing packet is a CONNECT whose protocol name and level were read: the version they name, so that
    /// the connection can answer an MQTT 5 client with CONNACK and this reason code (MQTT 5, 4.13.1) before it
    /// closes. <see cref="MqttProtocolVersion.Unknown"/> for every other packet and for a CONNECT that failed earlier.
    /// </summary>
    public MqttProtocolVersion ConnectVersion { get; internal set; }
}
