using System.Text;
using System.Text.Json.Serialization;
using RobustMq.Gateway.Ops;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Trace (EMQX's log trace) under <c>/api/v1</c>, for the whole cluster (every node runs every trace, and writes its
/// own file of it):
/// <list type="bullet">
/// <item><c>GET /trace?page=&amp;limit=</c>: <c>{"data": [{"name", "type": "clientid|topic|ip_address", "clientid" |
/// "topic" | "ip_address", "start_at", "end_at", "status": "running|stopped|waiting", "log_size"}], "meta",
/// "nodes_not_answering"}</c>; times ISO 8601, <c>log_size</c> the bytes of every answering node's file.</item>
/// <item><c>POST /trace</c> <c>{"name", "type", "clientid" | "topic" | "ip_address", "start_at"?, "end_at"? |
/// "duration_s"?}</c>: 201 with the trace; it starts at <c>start_at</c> (default now) and runs until <c>end_at</c>, or
/// for <c>duration_s</c>, or for <c>Trace:DefaultDurationSeconds</c> (600), at most <c>Trace:MaxDurationSeconds</c>.
/// 400 naming what is wrong; 409 <c>ALREADY_EXISTS</c>, or <c>TOO_MANY_TRACES</c> when <c>Trace:MaxTraces</c> are
/// stored (waiting, running or stopped: a stopped one counts until it is deleted, as in EMQX).</item>
/// <item><c>PUT /trace/{name}/stop</c>: 200 with the trace, stopped (its files stay); 404.</item>
/// <item><c>DELETE /trace/{name}</c>: 204 (every node deletes its file); 404.</item>
/// <item><c>GET /trace/{name}/download</c>: <c>text/plain</c>, every answering node's file (at most
/// <see cref="TraceService.MaxDownloadBytesPerNode"/> of each, whole lines), one packet a line, merged in time order,
/// after one <c># node ...</c> comment line per node (its size, whether it was cut, full, or lost lines); 404. It holds
/// client ids, usernames, addresses and payloads: an administrator only (403 for a viewer).</item>
/// </list>
/// </summary>
public static class TraceApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/trace", async (int? page, int? limit, TraceService traces, NodeNotices nodes, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "page is 1 or more, limit 1-1000");
            }

            return await ApiV1.Guard(async () =>
            {
                var specs = await traces.ListAsync(cancellationToken);
                var (sizes, failed) = await nodes.AskAllAsync(n => n.TraceSizes());
                var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                var data = specs.Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit)
                    .Select(s => View(s, now, sizes.Sum(n => n.GetValueOrDefault(s.Name)))).ToList();
                return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count = specs.Count }, nodes_not_answering = failed });
            });
        });
        v1.MapPost("/trace", async (TraceBody? body, TraceService traces, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            var now = clock.GetUtcNow();
            if (Spec(body, traces.Options, now, out var problem) is not { } spec)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem!);
            }

            return await ApiV1.Guard(async () => await traces.CreateAsync(spec, cancellationToken) switch
            {
                TraceChange.Exists => ApiV1.Error(StatusCodes.Status409Conflict, "ALREADY_EXISTS", $"a trace named '{spec.Name}' exists"),
                TraceChange.TooMany => ApiV1.Error(StatusCodes.Status409Conflict, "TOO_MANY_TRACES", $"{traces.Options.MaxTraces} traces are stored already, stopped ones too (Trace:MaxTraces): delete one"),
                _ => Results.Created($"/api/v1/trace/{spec.Name}", View(spec, now.ToUnixTimeMilliseconds(), 0)),
            });
        });
        v1.MapPut("/trace/{name}/stop", async (string name, TraceService traces, TimeProvider clock, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () =>
            {
                if (await traces.StopAsync(name, cancellationToken) == TraceChange.NotFound)
                {
                    return NotFound(name);
                }

                var spec = (await traces.ListAsync(cancellationToken)).First(s => s.Name == name);
                return Results.Ok(View(spec, clock.GetUtcNow().ToUnixTimeMilliseconds(), null));
            }));
        v1.MapDelete("/trace/{name}", async (string name, TraceService traces, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () => await traces.DeleteAsync(name, cancellationToken) == TraceChange.NotFound ? NotFound(name) : Results.NoContent()));
        v1.MapGet("/trace/{name}/download", async (string name, HttpContext http, TraceService traces, NodeNotices nodes, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () =>
            {
                if (!(await traces.ListAsync(cancellationToken)).Any(s => s.Name == name))
                {
                    return NotFound(name);
                }

                var (logs, failed) = await nodes.AskAllAsync(n => n.TraceLog(name, TraceService.MaxDownloadBytesPerNode));
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.log\"";
                return Results.Text(Merge(name, logs, failed), "text/plain; charset=utf-8");
            })).WithMetadata(AdministratorOnly.Instance);
    }

    /// <summary>
    /// The nodes' files as one text: a comment line per node, then every packet line in time order (each line starts with
    /// its ISO 8601 UTC timestamp, so text order is time order; lines of one node keep their order).
    /// </summary>
    internal static string Merge(string name, IReadOnlyList<TraceLog> logs, int failed)
    {
        var text = new StringBuilder();
        text.Append("# trace ").Append(name).Append(": ").Append(logs.Count).Append(" nodes answered");
        text.Append(failed > 0 ? $", {failed} did not (their packets are missing)" : "").Append('\n');
        var lines = new List<string>();
        foreach (var log in logs.OrderBy(l => l.Node, StringComparer.Ordinal))
        {
            text.Append("# node ").Append(log.Node).Append(": ").Append(Encoding.UTF8.GetByteCount(log.Text)).Append(" bytes");
            text.Append(log.Truncated ? $", cut at {TraceService.MaxDownloadBytesPerNode} bytes" : "").Append(log.Full ? ", file full (Trace:MaxFileBytes)" : "");
            text.Append(log.Dropped > 0 ? $", {log.Dropped} lines dropped (the writer was behind)" : "").Append('\n');
            lines.AddRange(log.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        // Stable: equal timestamps keep each node's order.
        foreach (var line in lines.Select((l, i) => (l, i)).OrderBy(x => x.l.Length >= 24 ? x.l[..24] : x.l, StringComparer.Ordinal).ThenBy(x => x.i))
        {
            text.Append(line.l).Append('\n');
        }

        return text.ToString();
    }

    private static TraceSpec? Spec(TraceBody? body, TraceOptions options, DateTimeOffset now, out string? problem)
    {
        if (body is null)
        {
            problem = "the body must be {\"name\", \"type\": \"clientid|topic|ip_address\", \"clientid\"|\"topic\"|\"ip_address\", \"start_at\"?, \"end_at\"?|\"duration_s\"?}";
            return null;
        }

        var value = body.Type switch
        {
            TraceSpec.ClientIdType => body.ClientId,
            TraceSpec.TopicType => body.Topic,
            TraceSpec.IpAddressType => body.IpAddress,
            _ => null,
        };
        if ((problem = TraceSpec.Problem(body.Name, body.Type, value)) is not null)
        {
            return null;
        }

        var start = body.StartAt ?? now;
        if (body.EndAt is not null && body.DurationSeconds is not null)
        {
            problem = "give end_at or duration_s, not both";
            return null;
        }

        if (body.DurationSeconds is < 1)
        {
            problem = $"duration_s must be 1 or more (got {body.DurationSeconds})";
            return null;
        }

        var end = body.EndAt ?? start.AddSeconds(body.DurationSeconds ?? options.DefaultDurationSeconds);
        if (end <= start || end <= now)
        {
            problem = "end_at must be after start_at and in the future";
            return null;
        }

        if ((end - start).TotalSeconds > options.MaxDurationSeconds)
        {
            problem = $"a trace runs at most {options.MaxDurationSeconds} s (Trace:MaxDurationSeconds)";
            return null;
        }

        return new TraceSpec(body.Name!, body.Type!, value!, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());
    }

    private static Dictionary<string, object?> View(TraceSpec s, long now, long? logSize)
    {
        var view = new Dictionary<string, object?>
        {
            ["name"] = s.Name,
            ["type"] = s.Type,
            [s.Type] = s.Value,
            ["start_at"] = DateTimeOffset.FromUnixTimeMilliseconds(s.StartAtUnixMs),
            ["end_at"] = DateTimeOffset.FromUnixTimeMilliseconds(s.StoppedAtUnixMs is { } stopped && stopped < s.EndAtUnixMs ? stopped : s.EndAtUnixMs),
            ["status"] = s.Status(now),
        };
        if (logSize is not null)
        {
            view["log_size"] = logSize;
        }

        return view;
    }

    private static IResult NotFound(string name) => ApiV1.Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"no trace '{name}'");

    /// <summary>The body of <c>POST /api/v1/trace</c>.</summary>
    public sealed record TraceBody(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("clientid")] string? ClientId,
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("ip_address")] string? IpAddress,
        [property: JsonPropertyName("start_at")] DateTimeOffset? StartAt,
        [property: JsonPropertyName("end_at")] DateTimeOffset? EndAt,
        [property: JsonPropertyName("duration_s")] long? DurationSeconds);
}
