using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.BuiltInAcl;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The built-in ACL store over HTTP (<c>Acl:Sources</c> <c>builtin</c>; cluster-wide, applied to the next CONNECT and
/// to connected clients at once), in EMQX's built-in database shape: rules by user name, by client id, and for all.
/// <list type="bullet">
/// <item><c>GET /api/acl</c>: 200, <c>[{"who": "all|user/{name}|client/{id}", "rules": [...]}]</c> by subject.</item>
/// <item><c>GET /api/acl/all</c>, <c>/api/acl/users/{name}</c>, <c>/api/acl/clients/{id}</c> (a name may hold '/', as
/// itself or as %2F): 200 one such object, 404.</item>
/// <item><c>PUT</c> on those with <c>{"rules": [{"permission": "allow|deny", "action": "publish|subscribe|all",
/// "topic": "...", "qos": [0, 1], "retain": false, "ipaddr": "10.0.0.0/8"}]}</c> (the last three optional): replaces
/// the subject's rules; 200 with the entry; 400 naming the rule that is not one (or more than 1,000 rules).</item>
/// <item><c>DELETE</c> on those: 204, or 404 when the subject has no rules.</item>
/// <item><c>POST /api/acl/rules</c> with <c>{"who": "all|user/{name}|client/{id}", "permission", "action", "topic",
/// "qos", "retain", "ipaddr"}</c> (one rule and its subject): adds the rule after the subject's others; 201 with the
/// body; 400; 409 <c>TOO_MANY_RULES</c>. Two adds at once both stay (a PUT of the whole list could lose one).</item>
/// <item><c>DELETE /api/acl/rules</c> with the same body: removes the first of the subject's rules with exactly those
/// fields (the subject goes with its last rule); 204, or 404 when it has none such.</item>
/// </list>
/// 503 when the store cannot be read or written. Guarded by <see cref="OperatorOnly"/> (<c>Admin:Token</c>, or loopback only).
/// </summary>
public static class AclApi
{
    public static void Map(IEndpointRouteBuilder endpoints) => MapRoutes(endpoints.MapGroup("/api/acl").AddEndpointFilter<OperatorOnly>());

    /// <summary>The routes on <paramref name="acl"/> (<c>/api/acl</c>, and <c>/api/v1/acl</c> behind <see cref="AdminAccess"/>).</summary>
    public static void MapRoutes(RouteGroupBuilder acl)
    {
        acl.MapGet("", async (BuiltInAclSource store, CancellationToken cancellationToken) =>
            await Guard(async () => Results.Ok(await store.ListAsync(cancellationToken))));
        MapSubject(acl, "/all", _ => AclEntry.All);
        acl.MapPost("/rules", async (RuleBody? body, BuiltInAclSource store, CancellationToken cancellationToken) =>
            RuleProblem(body) is { } problem
                ? Results.BadRequest(new { error = problem })
                : await Guard(async () => await store.AppendAsync(body!.Who!, body.Rule, cancellationToken)
                    ? Results.Json(body, statusCode: StatusCodes.Status201Created)
                    : Results.Json(new { code = "TOO_MANY_RULES", error = $"{body.Who} has {AclEntry.MaxRules} rules already" }, statusCode: StatusCodes.Status409Conflict)));
        acl.MapDelete("/rules", async ([FromBody] RuleBody? body, BuiltInAclSource store, CancellationToken cancellationToken) =>
            RuleProblem(body) is { } problem
                ? Results.BadRequest(new { error = problem })
                : await Guard(async () => await store.RemoveAsync(body!.Who!, body.Rule, cancellationToken)
                    ? Results.NoContent()
                    : Results.NotFound(new { error = $"{body.Who} has no such rule" })));
        // A client id or user name may hold '/': the rest of the path, each segment decoded (RawPathValues).
        MapSubject(acl, "/users/{**name}", name => AclEntry.ForUser(name ?? ""));
        MapSubject(acl, "/clients/{**name}", name => AclEntry.ForClient(name ?? ""));
    }

    private static void MapSubject(RouteGroupBuilder acl, string pattern, Func<string?, string> who)
    {
        acl.MapGet(pattern, async (string? name, BuiltInAclSource store, CancellationToken cancellationToken) =>
            await Guard(async () => (await store.ListAsync(cancellationToken)).FirstOrDefault(e => e.Who == who(name)) is { } entry
                ? Results.Ok(entry)
                : NoRules(who(name))));
        acl.MapPut(pattern, async (string? name, RulesBody? body, BuiltInAclSource store, CancellationToken cancellationToken) =>
        {
            var subject = who(name);
            if (AclEntry.WhoProblem(subject) is { } problem)
            {
                return Results.BadRequest(new { error = problem });
            }

            if (body?.Rules is not { } rules)
            {
                return Results.BadRequest(new { error = "the body must be {\"rules\": [{\"permission\": ..., \"action\": ..., \"topic\": ...}]}" });
            }

            if (rules.Length > AclEntry.MaxRules)
            {
                return Results.BadRequest(new { error = $"at most {AclEntry.MaxRules} rules per subject (got {rules.Length})" });
            }

            var entry = new AclEntry(subject, rules);
            try
            {
                entry.ToRules();
            }
            catch (AclSourceException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }

            return await Guard(async () =>
            {
                await store.AddAsync(entry, cancellationToken);
                return Results.Ok(entry);
            });
        });
        acl.MapDelete(pattern, async (string? name, BuiltInAclSource store, CancellationToken cancellationToken) =>
            await Guard(async () => await store.DeleteAsync(who(name), cancellationToken) ? Results.NoContent() : NoRules(who(name))));
    }

    /// <summary>What is wrong with a rule body (its subject, or the rule as a check), or null.</summary>
    private static string? RuleProblem(RuleBody? body)
    {
        if (body is null)
        {
            return "the body must be {\"who\": \"all|user/<name>|client/<id>\", \"permission\": ..., \"action\": ..., \"topic\": ...}";
        }

        if (AclEntry.WhoProblem(body.Who) is { } problem)
        {
            return problem;
        }

        try
        {
            AclEntry.ToRules([body.Rule], "builtin " + body.Who);
            return null;
        }
        catch (AclSourceException ex)
        {
            return ex.Message;
        }
    }

    private static IResult NoRules(string who) => Results.NotFound(new { error = $"no rules for {who}" });

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is StorageException or InvalidOperationException or TimeoutException)
        {
            return Results.Json(new { error = "the ACL store cannot be used: " + ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The body of <c>POST</c> and <c>DELETE /rules</c>: one rule and its subject.</summary>
    public sealed record RuleBody(
        [property: JsonPropertyName("who")] string? Who,
        [property: JsonPropertyName("permission")] string? Permission,
        [property: JsonPropertyName("action")] string? Action,
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("qos")] int[]? QoS = null,
        [property: JsonPropertyName("retain")] bool? Retain = null,
        [property: JsonPropertyName("ipaddr")] string? IpAddr = null)
    {
        [JsonIgnore]
        public AclEntryRule Rule => new(Permission, Action, Topic, QoS, Retain, IpAddr);
    }

    /// <summary>The body of a <c>PUT</c>.</summary>
    public sealed record RulesBody([property: JsonPropertyName("rules")] AclEntryRule[]? Rules);
}
