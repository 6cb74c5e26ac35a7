using System.Text.Json.Serialization;
using RobustMq.Gateway.Security.Blacklist;

namespace RobustMq.Silo.Admin;

/// <summary>
/// <c>GET /api/v1/flapping?clientid=&amp;page=&amp;limit=</c>: the client ids banned by flapping detection
/// (<c>Flapping:*</c>; EMQX's flapping bans), cluster-wide (the bans are in the cluster's blacklist), ended bans left out,
/// by client id. Items <see cref="FlappingItem"/>; lift one with <c>DELETE /api/v1/blacklist/clientid/{clientid}</c>.
/// </summary>
public static class FlappingApi
{
    /// <summary>How a flapping ban's reason begins (MqttConnection.Connect writes it).</summary>
    private const string ReasonPrefix = "flapping";

    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/flapping", async (string? clientid, int? page, int? limit, BlacklistService blacklist, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (ApiV1.Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit);
            }

            return await AdminLists.Guard(async () =>
            {
                var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                var bans = (await blacklist.ListAsync(cancellationToken))
                    .Where(b => b.Kind == Ban.ClientId && !b.HasEnded(now) && b.Reason?.StartsWith(ReasonPrefix, StringComparison.Ordinal) == true && AdminLists.Has(b.Value, clientid))
                    .OrderBy(b => b.Value, StringComparer.Ordinal)
                    .ToList();
                return AdminLists.Answer(AdminLists.Page(bans, paging).Select(FlappingItem.Of), paging, bans.Count);
            });
        });
    }

    /// <summary>One flapping ban.</summary>
    /// <param name="ClientId">The banned client id.</param>
    /// <param name="Reason">Why (the limit it went past).</param>
    /// <param name="At">When it was banned.</param>
    /// <param name="Until">When the ban ends.</param>
    public sealed record FlappingItem(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("reason")] string? Reason,
        [property: JsonPropertyName("at")] DateTimeOffset At,
        [property: JsonPropertyName("until")] DateTimeOffset? Until)
    {
        public static FlappingItem Of(Ban ban) => new(
            ban.Value,
            ban.Reason,
            DateTimeOffset.FromUnixTimeMilliseconds(ban.CreatedUnixMs),
            ban.UntilUnixMs is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null);
    }
}
