using System.Text.Json.Serialization;
using RobustMq.Gateway.Connections;

namespace RobustMq.Silo.Admin;

/// <summary>One connected client in <c>/api/clients</c>. The JSON names are spelled out: they are the API.</summary>
internal sealed record ClientView(
    [property: JsonPropertyName("clientId")] string ClientId,
    [property: JsonPropertyName("userName")] string? UserName,
    [property: JsonPropertyName("protocolVersion")] int ProtocolVersion,
    [property: JsonPropertyName("peerAddress")] string? PeerAddress,
    [property: JsonPropertyName("keepAliveSeconds")] int KeepAliveSeconds,
    [property: JsonPropertyName("cleanStart")] bool CleanStart,
    [property: JsonPropertyName("sessionExpirySeconds")] uint SessionExpirySeconds,
    [property: JsonPropertyName("connectedAt")] DateTimeOffset? ConnectedAt)
{
    public static ClientView Of(MqttConnection c) => new(
        c.ClientId!, c.UserName, (int)c.Version, c.RemoteEndPoint, c.KeepAliveSeconds, c.CleanStart, c.SessionExpirySeconds, c.ConnectedAt);
}
