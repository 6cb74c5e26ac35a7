using System.Text.Json.Serialization;
using RobustMq.Gateway.Security.Administrators;
using RobustMq.Silo.Hosting;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The admin API's own accounts and API keys, under <c>/api/v1</c> (behind <see cref="AdminAccess"/>):
/// <list type="bullet">
/// <item><c>GET /api/v1/admins</c>: <c>[{"username", "role"}]</c>. <c>PUT /api/v1/admins/{name}</c> with
/// <c>{"password", "role": "administrator|viewer"}</c>: 201 made, 200 replaced, 400. <c>DELETE</c>: 204, 404, 409 for
/// the last administrator (a PUT that would make it a viewer too). Changes go one at a time through
/// <see cref="IAdminAccountsGrain"/>, so changes made at once on any nodes never leave no administrator.</item>
/// <item><c>GET /api/v1/api_keys</c>: <c>[{"name", "api_key", "role", "created_ms", "expires_ms"}]</c>.
/// <c>POST /api/v1/api_keys</c> with <c>{"name", "role", "expires_in_s"}</c> (role administrator when left out):
/// 201 with <c>api_secret</c>, shown this once. <c>DELETE /api/v1/api_keys/{api_key}</c>: 204, 404.</item>
/// </list>
/// </summary>
public static class AdminApis
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/admins", async (AdminAccounts accounts, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () => Results.Ok((await accounts.ListAsync(cancellationToken)).Select(a => new { username = a.UserName, role = AdminAccounts.RoleOf(a) }).ToList())));
        v1.MapPut("/admins/{**name}", async (string name, AccountBody? body, AdminAccounts accounts, CancellationToken cancellationToken) =>
        {
            if (!UserApiNames.IsValid(name) || body?.Password is not { Length: >= 8 } password || body.Role is not (AdminAccounts.Administrator or AdminAccounts.Viewer))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"password\": \"at least 8 characters\", \"role\": \"administrator|viewer\"}");
            }

            return await ApiV1.Guard(async () =>
            {
                var view = new { username = name, role = body.Role };
                return await accounts.ChangeAsync(name, password, body.Role == AdminAccounts.Administrator, cancellationToken) switch
                {
                    AdminAccountChange.LastAdministrator => ApiV1.Error(StatusCodes.Status409Conflict, "LAST_ADMINISTRATOR", "the last administrator cannot become a viewer"),
                    AdminAccountChange.Created => Results.Created($"/api/v1/admins/{Uri.EscapeDataString(name)}", view),
                    _ => Results.Ok(view),
                };
            });
        });
        v1.MapDelete("/admins/{**name}", async (string name, AdminAccounts accounts, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () => await accounts.RemoveAsync(name, cancellationToken) switch
            {
                AdminAccountChange.LastAdministrator => ApiV1.Error(StatusCodes.Status409Conflict, "LAST_ADMINISTRATOR", "the last administrator cannot be deleted"),
                AdminAccountChange.NotFound => ApiV1.Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"no admin '{name}'"),
                _ => Results.NoContent(),
            }));

        v1.MapGet("/api_keys", async (ApiKeys keys, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () => Results.Ok((await keys.ListAsync(cancellationToken)).Select(k => new { name = k.Name, api_key = k.Key, role = k.Role, created_ms = k.CreatedUnixMs, expires_ms = k.ExpiresUnixMs }).ToList())));
        v1.MapPost("/api_keys", async (KeyBody? body, ApiKeys keys, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (body?.Name is not { Length: > 0 and <= 200 } name || (body.Role ?? AdminAccounts.Administrator) is not (AdminAccounts.Administrator or AdminAccounts.Viewer) || body.ExpiresInSeconds is < 1)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body must be {\"name\": \"...\", \"role\": \"administrator|viewer\", \"expires_in_s\": N (optional, at least 1)}");
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            return await ApiV1.Guard(async () =>
            {
                var (record, secret) = await keys.CreateAsync(name, body.Role ?? AdminAccounts.Administrator, now, body.ExpiresInSeconds is { } s ? now + (s * 1000) : null, cancellationToken);
                return Results.Created($"/api/v1/api_keys/{record.Key}", new { name = record.Name, api_key = record.Key, api_secret = secret, role = record.Role, expires_ms = record.ExpiresUnixMs });
            });
        });
        v1.MapDelete("/api_keys/{key}", async (string key, ApiKeys keys, CancellationToken cancellationToken) =>
            await ApiV1.Guard(async () => await keys.DeleteAsync(key, cancellationToken) ? Results.NoContent() : ApiV1.Error(StatusCodes.Status404NotFound, "NOT_FOUND", $"no API key '{key}'")));
    }

    /// <summary>The body of <c>PUT /api/v1/admins/{name}</c>.</summary>
    public sealed record AccountBody(
        [property: JsonPropertyName("password")] string? Password,
        [property: JsonPropertyName("role")] string? Role);

    /// <summary>The body of <c>POST /api/v1/api_keys</c>.</summary>
    public sealed record KeyBody(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("role")] string? Role,
        [property: JsonPropertyName("expires_in_s")] long? ExpiresInSeconds);
}
