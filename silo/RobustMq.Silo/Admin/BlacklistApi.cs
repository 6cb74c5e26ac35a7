using System.Text.Json.Serialization;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The blacklist over HTTP (cluster-wide; applied to the next CONNECT and to connected clients at once):
/// <list type="bullet">
/// <item><c>GET /api/blacklist</c>: 200, <c>[{"kind", "value", "reason", "until_ms", "created_ms"}]</c>, ended bans left out.</item>
/// <item><c>POST /api/blacklist</c> with <c>{"kind": "clientid|username|peerhost|clientid_re|username_re", "value": "...",
/// "reason": "...", "duration_s": N}</c> (<c>duration_s</c> left out: for ever): 201 with the ban; 400 naming what is
/// wrong (an unknown kind, a bad address, CIDR or regular expression, a duration below 1).</item>
/// <item><c>DELETE /api/blacklist/{kind}/{value}</c> (the value URL-encoded: a CIDR's '/' as %2F): 204, 404.</item>
/// </list>
/// 503 when the store cannot be read or written. Guarded by <see cref="OperatorOnly"/> (<c>Admin:Token</c>, or loopback only).
/// </summary>
public static class BlacklistApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        MapRoutes(endpoints.MapGroup("/api/blacklist").AddEndpointFilter<OperatorOnly>());
    }

    /// <summary>The routes on <paramref name="endpoints"/> (<c>/api/blacklist</c>, and <c>/api/v1/blacklist</c> behind <see cref="AdminAccess"/>).</summary>
    public static void MapRoutes(RouteGroupBuilder endpoints)
    {
        endpoints.MapGet("", async (BlacklistService blacklist, TimeProvider clock, CancellationToken cancellationToken) =>
            await Guard(async () =>
            {
                var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                return Results.Ok((await blacklist.ListAsync(cancellationToken)).Where(b => !b.HasEnded(now))
                    .OrderBy(b => b.Kind, StringComparer.Ordinal).ThenBy(b => b.Value, StringComparer.Ordinal).ToList());
            }));
        endpoints.MapPost("", async (BanBody? body, BlacklistService blacklist, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (body is null)
            {
                return Results.BadRequest(new { error = "the body must be {\"kind\": ..., \"value\": ..., \"reason\": ..., \"duration_s\": N}" });
            }

            if (Ban.Problem(body.Kind, body.Value) is { } problem)
            {
                return Results.BadRequest(new { error = problem });
            }

            if (body.DurationSeconds is < 1 or > Ban.MaxDurationSeconds)
            {
                return Results.BadRequest(new { error = $"duration_s must be 1-{Ban.MaxDurationSeconds} (100 years), or left out for a ban without end (got {body.DurationSeconds})" });
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var ban = new Ban(body.Kind!, body.Value!, body.Reason, body.DurationSeconds is { } seconds ? now + (seconds * 1000) : null, now);
            return await Guard(async () =>
            {
                await blacklist.AddAsync(ban, cancellationToken);
                return Results.Created($"/api/blacklist/{ban.Kind}/{Uri.EscapeDataString(ban.Value)}", ban);
            });
        });
        endpoints.MapDelete("/{kind}/{**value}", async (string kind, string value, BlacklistService blacklist, CancellationToken cancellationToken) =>
            await Guard(async () => await blacklist.DeleteAsync(Ban.KeyOf(kind, value), cancellationToken)
                ? Results.NoContent()
                : Results.NotFound(new { error = $"no ban of {kind} '{value}'" })));
    }

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is StorageException or InvalidOperationException)
        {
            return Results.Json(new { error = "the blacklist cannot be used: " + ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The body of <c>POST /api/blacklist</c>.</summary>
    public sealed record BanBody(
        [property: JsonPropertyName("kind")] string? Kind,
        [property: JsonPropertyName("value")] string? Value,
        [property: JsonPropertyName("reason")] string? Reason,
        [property: JsonPropertyName("duration_s")] long? DurationSeconds);
}
