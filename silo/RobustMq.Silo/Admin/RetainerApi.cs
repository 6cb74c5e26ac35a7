using System.Text.Json.Serialization;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Protocol.Topics;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Retained messages, cluster-wide, from the retained store's shards (EMQX's <c>/mqtt/retainer</c>):
/// <list type="bullet">
/// <item><c>GET /api/v1/retainer/messages?topic=&amp;page=&amp;limit=</c>: by topic; <c>topic</c> a substring (any case)
/// or, with a wildcard, a filter the topics must match. Items <see cref="RetainedItem"/>. Topics beginning with '$'
/// are listed only by a filter beginning with '$' (<c>$SYS/#</c>): no <c>topic</c>, a substring or <c>#</c> leave them
/// out, as '#' and '+' do not match them (MQTT-4.7.2-1).</item>
/// <item><c>GET /api/v1/retainer/message/{topic}</c>: one (its '/' as they are, or %2F); 404 <c>NOT_FOUND</c>.</item>
/// <item><c>DELETE /api/v1/retainer/message/{topic}</c>: clears it, as a retained PUBLISH with an empty payload would
/// (MQTT-3.3.1-10) but without delivering anything: 204, 404.</item>
/// </list>
/// 503 <c>SHARDS_NOT_ANSWERING</c> when a shard does not answer, <c>CLUSTER_UNAVAILABLE</c> when a grain call timed out or failed.
/// </summary>
public static class RetainerApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/retainer/messages", async (string? topic, int? page, int? limit, IGrainFactory grains) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            var wildcard = topic is { Length: > 0 } && topic.AsSpan().ContainsAny('+', '#');
            if (wildcard && !TopicValidator.IsValidTopicFilter(topic!))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"'{topic}' is not a valid topic filter");
            }

            return await AdminLists.Guard(async () =>
            {
                var query = new RetainedQuery(wildcard ? topic! : "#", wildcard ? null : topic, paging.Page * paging.Limit);
                var (count, messages) = await ClusterTables.RetainedAsync(grains, query);
                return AdminLists.Answer(AdminLists.Page(messages, paging).Select(RetainedItem.Of), paging, count);
            });
        });
        v1.MapGet("/retainer/message/{**topic}", async (string topic, IGrainFactory grains) =>
        {
            return await AdminLists.Guard(async () =>
                await FindAsync(grains, topic) is { } message ? Results.Ok(RetainedItem.Of(message)) : NotFound(topic));
        });
        v1.MapDelete("/retainer/message/{**topic}", async (string topic, IGrainFactory grains) =>
        {
            return await AdminLists.Guard(async () =>
            {
                if (await FindAsync(grains, topic) is null)
                {
                    return NotFound(topic);
                }

                var outcome = await grains.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic))
                    .Set(new BrokerMessage(topic, ReadOnlyMemory<byte>.Empty, 0, true)).WaitAsync(ClusterTables.ShardTimeout);
                return outcome == StoreOutcome.Stored
                    ? Results.NoContent()
                    : ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", $"the retained message could not be cleared ({outcome})");
            });
        });
    }

    private static IResult NotFound(string topic) => ApiV1.Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"no retained message on '{topic}'");

    /// <summary>The retained message of <paramref name="topic"/> (a topic name), or null.</summary>
    private static async Task<BrokerMessage?> FindAsync(IGrainFactory grains, string topic)
    {
        if (!TopicValidator.IsValidTopicName(topic))
        {
            return null;
        }

        var found = await grains.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic)).Match(topic).WaitAsync(ClusterTables.ShardTimeout);
        return found.FirstOrDefault(m => m.Topic == topic);
    }

    /// <summary>One retained message (EMQX's field names).</summary>
    /// <param name="Topic">Its topic.</param>
    /// <param name="QoS">The QoS it was published with.</param>
    /// <param name="Payload">Its payload, base64.</param>
    /// <param name="PayloadSize">The payload's size in bytes.</param>
    /// <param name="PublishAt">When it was published: not stored with the message, so null.</param>
    /// <param name="FromClientId">The client that published it (null: the broker or the admin API).</param>
    public sealed record RetainedItem(
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("qos")] int QoS,
        [property: JsonPropertyName("payload")] string Payload,
        [property: JsonPropertyName("payload_size")] int PayloadSize,
        [property: JsonPropertyName("publish_at")] DateTimeOffset? PublishAt,
        [property: JsonPropertyName("from_clientid")] string? FromClientId)
    {
        public static RetainedItem Of(BrokerMessage m) =>
            new(m.Topic, m.QoS, Convert.ToBase64String(m.Payload.Span), m.Payload.Length, null, m.PublisherClientId);
    }
}
