using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Silo.Hosting;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The built-in user store over HTTP (<c>Auth:Sources</c> <c>builtin</c>):
/// <list type="bullet">
/// <item><c>GET /api/users</c>: 200, <c>[{"user_name":..., "superuser":bool}]</c> by name (never a hash).</item>
/// <item><c>GET /api/users/{name}</c>: 200 the same object, 404 when there is no such user.</item>
/// <item><c>PUT /api/users/{name}</c> with <c>{"password":"...", "superuser":false}</c>: creates or replaces the user,
/// its password hashed with PBKDF2-SHA-256 (<c>Auth:BuiltIn:Iterations</c>); 201 created, 200 replaced, 400 when the
/// password is missing or empty.</item>
/// <item><c>DELETE /api/users/{name}</c>: 204, or 404 when there is no such user.</item>
/// </list>
/// A change applies to the next CONNECT on every node that reads the same storage; connected clients stay connected.
/// 503 when the store cannot be read or written. Guarded by <see cref="OperatorOnly"/> (<c>Admin:Token</c>, or loopback only).
/// </summary>
public static class UserApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        MapRoutes(endpoints.MapGroup("/api/users").AddEndpointFilter<OperatorOnly>());
    }

    /// <summary>The routes on <paramref name="endpoints"/> (<c>/api/users</c>, and <c>/api/v1/users</c> behind <see cref="AdminAccess"/>).</summary>
    public static void MapRoutes(RouteGroupBuilder endpoints)
    {
        endpoints.MapGet("", async (IUserStore users, CancellationToken cancellationToken) =>
            await Guard(async () => Results.Ok((await users.ListAsync(cancellationToken)).Select(UserView.Of).ToList())));
        // A user name may hold '/': the rest of the path, each segment decoded (RawPathValues).
        endpoints.MapGet("/{**name}", async (string name, IUserStore users, CancellationToken cancellationToken) =>
            await Guard(async () => await users.GetAsync(name, cancellationToken) is { } user ? Results.Ok(UserView.Of(user)) : NoSuchUser(name)));
        endpoints.MapPut("/{**name}", async (string name, UserBody? body, IUserStore users, IOptions<AuthOptions> options, CancellationToken cancellationToken) =>
        {
            if (!UserApiNames.IsValid(name))
            {
                return Results.BadRequest(new { error = "a user name is 1 to 65,535 bytes of UTF-8 without U+0000" });
            }

            if (body?.Password is not { Length: > 0 } password)
            {
                return Results.BadRequest(new { error = "the body must be {\"password\": \"...\", \"superuser\": false} with a password" });
            }

            return await Guard(async () =>
            {
                bool existed;
                try
                {
                    existed = await users.GetAsync(name, cancellationToken) is not null;
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.Corrupt)
                {
                    // A record that cannot be read is replaced.
                    existed = true;
                }

                var user = UserRecord.Create(name, Encoding.UTF8.GetBytes(password), body.Superuser, options.Value.BuiltIn.Iterations);
                await users.PutAsync(user, cancellationToken);
                return existed ? Results.Ok(UserView.Of(user)) : Results.Created($"/api/users/{Uri.EscapeDataString(name)}", UserView.Of(user));
            });
        });
        endpoints.MapDelete("/{**name}", async (string name, IUserStore users, CancellationToken cancellationToken) =>
            await Guard(async () => await users.DeleteAsync(name, cancellationToken) ? Results.NoContent() : NoSuchUser(name)));
    }

    private static IResult NoSuchUser(string name) => Results.NotFound(new { error = $"no user '{name}'" });

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (StorageException ex)
        {
            return Results.Json(new { error = "the user store cannot be used: " + ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The body of <c>PUT /api/users/{name}</c>.</summary>
    public sealed record UserBody(
        [property: JsonPropertyName("password")] string? Password,
        [property: JsonPropertyName("superuser")] bool Superuser);

    /// <summary>A user as the API shows it: never its hash.</summary>
    public sealed record UserView(
        [property: JsonPropertyName("user_name")] string UserName,
        [property: JsonPropertyName("superuser")] bool Superuser)
    {
        public static UserView Of(UserRecord user) => new(user.UserName, user.Superuser);
    }
}
