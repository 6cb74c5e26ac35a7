using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol;

/// <summary>Bad bytes or a broken protocol rule. Only the connection loop turns it into DISCONNECT or a close.</summary>
public sealed class MqttProtocolException : Exception
{
    public MqttProtocolException(ReasonCode reasonCode, string message)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    public ReasonCode ReasonCode { get; }
}
