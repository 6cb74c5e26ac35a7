using System.Text.Json.Serialization;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The authenticated admin API, <c>/api/v1</c> (issue 14), answering for the whole cluster: what a node cannot answer
/// alone it asks every active node for (<see cref="INodeControlGrain"/>). JSON; errors are
/// <c>{"code": "...", "message": "..."}</c>; lists are <c>{"data": [...], "meta": {"page", "limit", "count"}}</c> with
/// <c>page</c> from 1 and <c>limit</c> 1-1000 (default 100).
/// <list type="bullet">
/// <item><c>POST /api/v1/login</c> <c>{"username", "password"}</c>: 200 <c>{"token", "expires_at", "username", "role"}</c>, 401.</item>
/// <item><c>GET /api/v1/overview</c>: the cluster's nodes and totals (connections, sessions connected or stored,
/// subscriptions, topics, retained, message counters and rates per second over the last 5 s); <c>GET /api/v1/nodes</c>:
/// each node's counts.</item>
/// <item><c>GET /api/v1/clients?clientid=&amp;username=&amp;peerhost=&amp;page=&amp;limit=</c> (substrings,
/// case-insensitive), by client id; <c>GET /api/v1/clients/{clientid}</c>; <c>DELETE /api/v1/clients/{clientid}</c>
/// kicks it (DISCONNECT 0x98): 204, 404.</item>
/// <item><c>/api/v1/users</c>, <c>/api/v1/blacklist</c>, <c>/api/v1/acl</c>: as <see cref="UserApi"/>,
/// <see cref="BlacklistApi"/>, <see cref="AclApi"/>.</item>
/// <item><c>/api/v1/admins</c> (GET, <c>PUT /{name}</c> <c>{"password", "role"}</c>, DELETE) and
/// <c>/api/v1/api_keys</c> (GET, POST <c>{"name", "role", "expires_in_s"}</c>: 201 with the secret, once; DELETE).</item>
/// </list>
/// Every route but login is behind <see cref="AdminAccess"/>.
/// </summary>
public static class ApiV1
{
    internal const int DefaultLimit = 100;
    internal const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/login", async (LoginBody? body, HttpContext http, AdminAccounts accounts, AdminTokens tokens, CancellationToken cancellationToken) =>
        {
            if (body?.Username is not { Length: > 0 } name || body.Password is not { } password)
            {
                return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"username\": ..., \"password\": ...}");
            }

            return await Guard(async () =>
            {
                if (await accounts.VerifyAsync(name, password, cancellationToken) is not { } account)
                {
                    return Error(StatusCodes.Status401Unauthorized, "BAD_USERNAME_OR_PWD", "wrong user name or password");
                }

                if (password == AdminAccounts.DefaultPassword && !FromLoopback(http))
                {
                    // The well-known default opens the API only to someone on the node itself, until it is changed.
                    return Error(StatusCodes.Status401Unauthorized, "DEFAULT_PASSWORD", "the default password is taken only from the loopback address: change it there (PUT /api/v1/admins/{name}) or set Admin:Password");
                }

                var role = AdminAccounts.RoleOf(account);
                var (token, expires) = await tokens.IssueAsync(name, role, cancellationToken);
                return Results.Ok(new { token, expires_at = expires, username = name, role });
            });
        });

        var v1 = endpoints.MapGroup("/api/v1").AddEndpointFilter<AdminAccess>();
        v1.MapGet("/overview", async (NodeNotices nodes, IGrainFactory grains) =>
        {
            var sessions = ClusterTables.SessionCountAsync(grains);
            var (reports, failed) = await nodes.AskAllAsync(n => n.Report());
            long? sessionCount;
            try
            {
                sessionCount = await sessions;
            }
            catch (ShardsNotAnsweringException)
            {
                sessionCount = null;
            }

            return Results.Ok(new
            {
                nodes = reports.Count,
                nodes_not_answering = failed,
                connections = reports.Sum(r => r.Connections),
                sessions = sessionCount,
                // The route table and the retained stores are the cluster's: every node holds the same counts.
                subscriptions = reports.Count == 0 ? 0 : reports.Max(r => r.Subscriptions),
                topics = reports.Count == 0 ? 0 : reports.Max(r => r.Topics),
                retained = reports.Count == 0 ? 0 : reports.Max(r => r.Retained),
                routes = reports.Sum(r => r.Routes),
                messages_received = reports.Sum(r => r.MessagesReceived),
                messages_sent = reports.Sum(r => r.MessagesSent),
                messages_dropped = reports.Sum(r => r.MessagesDropped),
                bytes_received = reports.Sum(r => r.BytesReceived),
                bytes_sent = reports.Sum(r => r.BytesSent),
                messages_received_rate = Math.Round(reports.Sum(r => r.MessagesReceivedRate), 1),
                messages_sent_rate = Math.Round(reports.Sum(r => r.MessagesSentRate), 1),
                messages_dropped_rate = Math.Round(reports.Sum(r => r.MessagesDroppedRate), 1),
            });
        });
        v1.MapGet("/nodes", async (NodeNotices nodes) =>
        {
            var (reports, failed) = await nodes.AskAllAsync(n => n.Report());
            return Results.Ok(new { data = reports.OrderBy(r => r.Node, StringComparer.Ordinal).Select(NodeView.Of).ToList(), nodes_not_answering = failed });
        });
        v1.MapGet("/clients", async (string? clientid, string? username, string? peerhost, int? page, int? limit, NodeNotices nodes) =>
        {
            if (Paging(page, limit) is not { } paging)
            {
                return AdminLists.BadPaging(page, limit, "clientid, username or peerhost");
            }

            var query = new ClientQuery(clientid, username, peerhost, paging.Page * paging.Limit);
            var (pages, failed) = await nodes.AskAllAsync(n => n.Clients(query));
            var data = pages.SelectMany(p => p.Clients).OrderBy(c => c.ClientId, StringComparer.Ordinal).ThenBy(c => c.Node, StringComparer.Ordinal)
                .Skip((paging.Page - 1) * paging.Limit).Take(paging.Limit).Select(ClientInfo.Of).ToList();
            var count = pages.Sum(p => (long)p.Matched);
            return Results.Ok(new { data, meta = new { page = paging.Page, limit = paging.Limit, count, hasnext = AdminLists.HasNext(paging, count) }, nodes_not_answering = failed });
        });
        v1.MapGet("/clients/{**clientid}", async (string clientid, NodeNotices nodes) =>
        {
            var (found, failed) = await nodes.AskAllAsync(n => n.Client(clientid));
            return found.FirstOrDefault(c => c is not null) is { } client
                ? Results.Ok(ClientInfo.Of(client))
                : NotConnected(clientid, failed);
        });
        v1.MapDelete("/clients/{**clientid}", async (string clientid, NodeNotices nodes) =>
        {
            var (kicked, failed) = await nodes.AskAllAsync(n => n.Kick(clientid));
            return kicked.Any(k => k) ? Results.NoContent() : NotConnected(clientid, failed);
        });
        UserApi.MapRoutes(v1.MapGroup("/users"));
        BlacklistApi.MapRoutes(v1.MapGroup("/blacklist"));
        AclApi.MapRoutes(v1.MapGroup("/acl"));
        AdminApis.MapRoutes(v1);
        SessionApi.MapRoutes(v1);
        SubscriptionApi.MapRoutes(v1);
        TopicApi.MapRoutes(v1);
        RetainerApi.MapRoutes(v1);
        PublishApi.MapRoutes(v1);
        FlappingApi.MapRoutes(v1);
        ConfigApi.MapRoutes(v1);
        TraceApi.MapRoutes(v1);
        SlowSubsApi.MapRoutes(v1);
        AlarmApi.MapRoutes(v1);
        TopicMetricsApi.MapRoutes(v1.MapGroup("/topic_metrics"));
        EngineApi.MapRoutes(v1);
    }

    /// <summary>
    /// How deep a listing may page (page x limit): past it, narrow the listing with its filters. Each shard (or node)
    /// answers up to page x limit rows of a page, so this bounds what one request moves and holds.
    /// </summary>
    internal const int MaxDepth = 10_000;

    /// <summary>The page (from 1) and limit asked for, or null when out of range.</summary>
    internal static (int Page, int Limit)? Paging(int? page, int? limit)
    {
        var (p, l) = (page ?? 1, limit ?? DefaultLimit);
        return p < 1 || l < 1 || l > MaxLimit || (long)p * l > MaxDepth ? null : (p, l);
    }

    private static bool FromLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } peer && System.Net.IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer);

    /// <summary>404 when every node answered that it does not have the client; 503 when some could not say.</summary>
    private static IResult NotConnected(string clientId, int failed) => failed > 0
        ? Error(StatusCodes.Status503ServiceUnavailable, "NODES_NOT_ANSWERING", $"no answering node has client '{clientId}', and {failed} did not answer")
        : Error(StatusCodes.Status404NotFound, "CLIENTID_NOT_FOUND", $"no client '{clientId}' is connected");

    internal static IResult Error(int status, string code, string message) => Results.Json(new { code, message }, statusCode: status);

    internal static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is StorageException or FormatException or System.Text.Json.JsonException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", "the store cannot be used: " + ex.Message);
        }
    }

    /// <summary>The body of <c>POST /api/v1/login</c>.</summary>
    public sealed record LoginBody(
        [property: JsonPropertyName("username")] string? Username,
        [property: JsonPropertyName("password")] string? Password);

    /// <summary>One node in <c>/api/v1/nodes</c>.</summary>
    public sealed record NodeView(
        [property: JsonPropertyName("node")] string Node,
        [property: JsonPropertyName("connections")] int Connections,
        [property: JsonPropertyName("routes")] int Routes,
        [property: JsonPropertyName("messages_received")] long MessagesReceived,
        [property: JsonPropertyName("messages_sent")] long MessagesSent,
        [property: JsonPropertyName("messages_dropped")] long MessagesDropped,
        [property: JsonPropertyName("uptime_s")] long UptimeSeconds,
        [property: JsonPropertyName("sessions")] int Sessions,
        [property: JsonPropertyName("messages_received_rate")] double MessagesReceivedRate,
        [property: JsonPropertyName("messages_sent_rate")] double MessagesSentRate)
    {
        public static NodeView Of(NodeReport r) => new(r.Node, r.Connections, r.Routes, r.MessagesReceived, r.MessagesSent, r.MessagesDropped, r.UptimeSeconds, r.Sessions, r.MessagesReceivedRate, r.MessagesSentRate);
    }

    /// <summary>One connected client in <c>/api/v1/clients</c> (EMQX's field names).</summary>
    public sealed record ClientInfo(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("username")] string? UserName,
        [property: JsonPropertyName("proto_ver")] int ProtocolVersion,
        [property: JsonPropertyName("peername")] string? PeerName,
        [property: JsonPropertyName("keepalive")] int KeepAlive,
        [property: JsonPropertyName("clean_start")] bool CleanStart,
        [property: JsonPropertyName("expiry_interval")] uint ExpiryInterval,
        [property: JsonPropertyName("connected_at")] DateTimeOffset? ConnectedAt,
        [property: JsonPropertyName("node")] string Node)
    {
        public static ClientInfo Of(ClientSummary c) => new(c.ClientId, c.UserName, c.ProtocolVersion, c.PeerAddress, c.KeepAliveSeconds, c.CleanStart, c.SessionExpirySeconds, c.ConnectedAt, c.Node);
    }
}
