namespace RobustMq.Protocol.ReasonCodes;

/// <summary>CONNACK return codes of MQTT 3.1 and 3.1.1 (section 3.2.2.3).</summary>
public enum ConnectReturnCode : byte
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
}
