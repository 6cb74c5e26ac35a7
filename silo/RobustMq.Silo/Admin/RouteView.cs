using System.Text.Json.Serialization;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Silo.Admin;

/// <summary>
/// One route in <c>/api/routes</c>. The JSON names are spelled out: the default camel-casing lowercased only the first
/// letter of <c>QoS</c> and wrote <c>"qoS"</c>.
/// </summary>
internal sealed record RouteView(
    [property: JsonPropertyName("filter")] string Filter,
    [property: JsonPropertyName("shareGroup")] string? ShareGroup,
    [property: JsonPropertyName("clientId")] string ClientId,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("qos")] byte QoS,
    [property: JsonPropertyName("noLocal")] bool NoLocal,
    [property: JsonPropertyName("retainAsPublished")] bool RetainAsPublished,
    [property: JsonPropertyName("subscriptionId")] uint SubscriptionId,
    [property: JsonPropertyName("aclReadCheck")] bool AclReadCheck)
{
    public static RouteView Of(RouteEntry e) =>
        new(e.Filter, e.ShareGroup, e.ClientId, e.Node, e.QoS, e.NoLocal, e.RetainAsPublished, e.SubscriptionId, e.CheckRead);
}
