using System.Text.Json.Serialization;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Silo.Admin;

/// <summary>
/// <c>/api/v1/topic_metrics</c>: EMQX's topic metrics. <c>GET</c> lists the registered topics with the cluster's counts
/// (summed over the nodes that answered): <c>{"data": [{"topic", "create_time", "metrics": {"messages.in.count",
/// "messages.out.count", "messages.dropped.count", "messages.qos0.in.count", ... "messages.in.rate", ...}}], "meta",
/// "nodes_not_answering"}</c> (rates in messages per second over the last 5 s); <c>GET /{topic}</c> one of them (404
/// <c>TOPIC_NOT_FOUND</c>); <c>POST</c> <c>{"topic"}</c> registers an exact topic name: 201, 400 (a filter or an
/// invalid name), 409 <c>ALREADY_EXISTS</c>, 409 <c>EXCEED_LIMIT</c> (512 registered); <c>DELETE /{topic}</c>: 204, 404.
/// Prometheus gets the same counters with a <c>topic</c> label (<c>topic_messages_written_total</c>, ...).
/// </summary>
public static class TopicMetricsApi
{
    public static void MapRoutes(RouteGroupBuilder group)
    {
        group.MapGet("", async (int? page, int? limit, TopicMetrics topics, NodeNotices nodes, CancellationToken cancellationToken) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "page is 1 or more, limit 1-1000");
            }

            return await ApiV1.Guard(async () =>
            {
                var registered = await topics.ListAsync(cancellationToken);
                var (counts, failed) = await nodes.AskAllAsync(n => n.TopicMetrics());
                var data = registered.OrderBy(r => r.Topic, StringComparer.Ordinal).Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit)
                    .Select(r => View(r, counts)).ToList();
                return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count = registered.Count }, nodes_not_answering = failed });
            });
        });
        group.MapGet("/{**topic}", async (string topic, TopicMetrics topics, NodeNotices nodes, CancellationToken cancellationToken) =>
        {
            return await ApiV1.Guard(async () =>
            {
                if ((await topics.ListAsync(cancellationToken)).FirstOrDefault(r => r.Topic == topic) is not { } registration)
                {
                    return NotFound(topic);
                }

                var (counts, _) = await nodes.AskAllAsync(n => n.TopicMetrics());
                return Results.Ok(View(registration, counts));
            });
        });
        group.MapPost("", async (RegisterBody? body, TopicMetrics topics, CancellationToken cancellationToken) =>
        {
            if (TopicMetrics.Problem(body?.Topic) is { } problem)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem);
            }

            var topic = body!.Topic!;
            return await ApiV1.Guard(async () => await topics.RegisterAsync(topic, cancellationToken) switch
            {
                TopicMetrics.RegisterOutcome.Exists => ApiV1.Error(StatusCodes.Status409Conflict, "ALREADY_EXISTS", $"topic '{topic}' is registered already"),
                TopicMetrics.RegisterOutcome.Full => ApiV1.Error(StatusCodes.Status409Conflict, "EXCEED_LIMIT", $"{TopicMetrics.MaxTopics} topics are registered already"),
                _ => Results.Json(new { topic }, statusCode: StatusCodes.Status201Created),
            });
        });
        group.MapDelete("/{**topic}", async (string topic, TopicMetrics topics, CancellationToken cancellationToken) =>
        {
            return await ApiV1.Guard(async () => await topics.UnregisterAsync(topic, cancellationToken) ? Results.NoContent() : NotFound(topic));
        });
    }

    private static IResult NotFound(string topic) => ApiV1.Error(StatusCodes.Status404NotFound, "TOPIC_NOT_FOUND", $"topic '{topic}' is not registered");

    /// <summary>One registered topic with the counts of every node that has it (a node that registered it later counts from then).</summary>
    private static object View(TopicRegistration registration, IReadOnlyList<TopicCounts[]> nodes)
    {
        var @in = new long[3];
        var @out = new long[3];
        var dropped = new long[3];
        var rates = new double[TopicCounters.RateNames.Length];
        foreach (var node in nodes)
        {
            foreach (var counts in node)
            {
                if (counts.Topic != registration.Topic)
                {
                    continue;
                }

                for (var q = 0; q < 3; q++)
                {
                    @in[q] += counts.In[q];
                    @out[q] += counts.Out[q];
                    dropped[q] += counts.Dropped[q];
                }

                for (var r = 0; r < rates.Length && r < counts.Rates.Length; r++)
                {
                    rates[r] += counts.Rates[r];
                }
            }
        }

        var metrics = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["messages.in.count"] = @in.Sum(),
            ["messages.out.count"] = @out.Sum(),
            ["messages.dropped.count"] = dropped.Sum(),
        };
        for (var q = 0; q < 3; q++)
        {
            metrics[$"messages.qos{q}.in.count"] = @in[q];
            metrics[$"messages.qos{q}.out.count"] = @out[q];
        }

        for (var r = 0; r < rates.Length; r++)
        {
            metrics[TopicCounters.RateNames[r] + ".rate"] = Math.Round(rates[r], 2);
        }

        return new { topic = registration.Topic, create_time = registration.CreatedAt, metrics };
    }

    /// <summary>The body of <c>POST /api/v1/topic_metrics</c>.</summary>
    public sealed record RegisterBody([property: JsonPropertyName("topic")] string? Topic);
}
