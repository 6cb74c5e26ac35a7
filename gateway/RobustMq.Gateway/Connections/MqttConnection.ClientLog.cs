using System.Globalization;
using Microsoft.Extensions.Logging;
using RobustMq.Protocol;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// One line when a client has connected (CONNACK accepted) and one when it is gone, at Information: what Mosquitto
/// logs by default ("New client connected from ... as ..."; "Client ... disconnected"). A storm of 10k connections
/// makes 10k lines; <c>--Logging:LogLevel:RobustMq.Gateway.Connections=Warning</c> turns them off.
/// </summary>
public sealed partial class MqttConnection
{
    private const string NoClientId = "no client id yet";

    /// <summary>Why the connection ended, for the disconnect line; nothing set: the network closed without DISCONNECT.</summary>
    private string? _endReason;

    /// <summary>The client id for log lines: a connection that has not sent CONNECT has none.</summary>
    private string LogClientId => ClientId ?? NoClientId;

    private void LogClientConnected(string clientId, bool cleanStart) =>
        LogConnected(_services.Logger, clientId, _userName ?? "(none)", RemoteEndPoint ?? "unknown", Describe(_version), _keepAlive.Seconds, cleanStart, Ref.ConnectionId);

    private void LogClientDisconnected(string clientId) =>
        LogDisconnected(_services.Logger, clientId, _endReason ?? "the network connection closed without DISCONNECT", Ref.ConnectionId);

    /// <summary>
    /// The reason a server-side close gives: <c>server sent DISCONNECT SessionTakenOver (0x8e)</c> on MQTT 5; on 3.1.x,
    /// which has no server DISCONNECT, <c>closed by the server: SessionTakenOver (0x8e)</c>.
    /// </summary>
    private string ServerClose(ReasonCode reason) =>
        (_version == MqttProtocolVersion.V500 ? "server sent DISCONNECT " : "closed by the server: ") + Describe(reason);

    /// <summary>A DISCONNECT reason as name and code, e.g. <c>NormalDisconnection (0x00)</c> (0x00 has three names in the enum).</summary>
    private static string Describe(ReasonCode reason) =>
        string.Create(CultureInfo.InvariantCulture, $"{(reason == 0 ? nameof(ReasonCode.NormalDisconnection) : reason.ToString())} (0x{(byte)reason:x2})");

    private static string Describe(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V310 => "MQTT 3.1",
        MqttProtocolVersion.V311 => "MQTT 3.1.1",
        MqttProtocolVersion.V500 => "MQTT 5.0",
        _ => "MQTT ?",
    };

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Client {ClientId} connected: user {UserName}, peer {Peer}, {Protocol}, keep alive {KeepAlive} s, clean start {CleanStart} (connection {ConnectionId})")]
    private static partial void LogConnected(ILogger logger, string clientId, string userName, string peer, string protocol, int keepAlive, bool cleanStart, long connectionId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Client {ClientId} disconnected: {Reason} (connection {ConnectionId})")]
    private static partial void LogDisconnected(ILogger logger, string clientId, string reason, long connectionId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Connection {ConnectionId}: client {ClientId}, user {UserName} refused by authentication ({Source}): {Reason}")]
    private static partial void LogAuthenticationRefused(ILogger logger, long connectionId, string clientId, string? userName, string source, string? reason);
}
