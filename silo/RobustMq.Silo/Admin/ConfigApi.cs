using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RobustMq.Gateway.Settings;
using RobustMq.Silo.Hosting;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The broker's configuration (EMQX's <c>/configs</c>):
/// <list type="bullet">
/// <item><c>GET /api/v1/configs</c>: <c>{"configs": {section: {key: value}}, "live": {"Section:Key": value}}</c>.
/// <c>configs</c> is every setting of the broker's sections in force on the node that answers (the configuration
/// files and environment, defaults filled in, run-time changes applied; the configured values, not those derived from
/// them at start-up), secrets (passwords, secrets, tokens, keys, connection strings, and whole sections so named) shown
/// as <c>"******"</c>, and URLs without their user information and query (<c>https://******@host/path?******</c>); <c>live</c> is the settings that may change at run time
/// (<see cref="RuntimeSettings.Keys"/>) with their values in force.</item>
/// <item><c>PUT /api/v1/configs</c> <c>{"Section:Key": value, ...}</c> (keys of <c>live</c>; a JSON bool, number or
/// string, or <c>null</c> to remove the stored value so that the configured one applies again): checked as start-up
/// checks them, stored (every node, and a restart, follow, unless <c>Storage:Default=Memory</c>), applied on every
/// node: 200 with the <c>GET</c> answer and <c>nodes_not_told</c> (nodes that did not answer or could not apply it,
/// such as <c>Acl:NoMatch</c> with an ACL file that no longer reads: they try again at their next refresh); 400
/// naming the key; 503 when the store cannot be written.</item>
/// </list>
/// </summary>
public static partial class ConfigApi
{
    private const string Masked = "******";

    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapGet("/configs", (IConfiguration configuration, RuntimeSettings settings) => Results.Ok(Describe(configuration, settings)));
        v1.MapPut("/configs", async (Dictionary<string, JsonElement>? body, IConfiguration configuration, RuntimeSettings settings, CancellationToken cancellationToken) =>
        {
            if (body is not { Count: > 0 })
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"the body must be {{\"Section:Key\": value, ...}} with keys among {string.Join(", ", RuntimeSettings.Keys)}");
            }

            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in body)
            {
                if (value.ValueKind == JsonValueKind.Null && RuntimeSettings.Keys.Contains(key))
                {
                    // The stored value is removed: the configured one applies again.
                    changes[key] = null;
                    continue;
                }

                var text = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                };
                if (RuntimeSettings.Problem(key, text) is { } problem)
                {
                    return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem);
                }

                changes[key] = text!;
            }

            if (!settings.CanStore)
            {
                return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", "this node has no store for run-time settings");
            }

            return await ApiV1.Guard(async () =>
            {
                var failed = await settings.ChangeAsync(changes, cancellationToken);
                var answer = Describe(configuration, settings);
                answer["nodes_not_told"] = failed;
                return Results.Ok(answer);
            });
        });
    }

    private static JsonObject Describe(IConfiguration configuration, RuntimeSettings settings)
    {
        var live = settings.Current();
        var configs = new JsonObject();
        foreach (var (section, type) in ConfigurationCheck.Sections)
        {
            JsonNode node;
            try
            {
                node = JsonSerializer.SerializeToNode(configuration.GetSection(section).Get(type) ?? Activator.CreateInstance(type)) ?? new JsonObject();
            }
            catch (Exception ex) when (ex is InvalidOperationException or MissingMethodException or NotSupportedException)
            {
                // Start-up checked the section: nothing here should fail, but a list of settings must not fail whole.
                configs[section] = "cannot be shown: " + ex.Message;
                continue;
            }

            Mask(node);
            if (node is JsonObject values)
            {
                foreach (var (key, value) in live)
                {
                    if (key.StartsWith(section + ":", StringComparison.Ordinal))
                    {
                        values[key[(section.Length + 1)..]] = JsonSerializer.SerializeToNode(value);
                    }
                }
            }

            configs[section] = node;
        }

        var liveNode = new JsonObject();
        foreach (var key in RuntimeSettings.Keys)
        {
            liveNode[key] = JsonSerializer.SerializeToNode(live[key]);
        }

        return new JsonObject { ["configs"] = configs, ["live"] = liveNode };
    }

    /// <summary>
    /// Replaces each secret (by its name, at any depth) with <see cref="Masked"/>: a value, or the whole object or list
    /// under that name (an empty one stays empty); in every other string that is a URL (<c>scheme://...</c>) the user
    /// information and the query are replaced (<c>https://******@host/path?******</c>): <c>Auth:Http:Url</c> may
    /// carry <c>user:pass@</c> or <c>?token=</c>.
    /// </summary>
    private static void Mask(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (SecretName().IsMatch(name))
                    {
                        if ((value is JsonValue) ? (value.ToString() is { Length: > 0 }) : (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 }))
                        {
                            obj[name] = Masked;
                        }
                    }
                    else if (StrippedUrl(value) is { } url)
                    {
                        obj[name] = url;
                    }
                    else
                    {
                        Mask(value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not { } item)
                    {
                        continue;
                    }

                    if (StrippedUrl(item) is { } url)
                    {
                        array[i] = url;
                    }
                    else
                    {
                        Mask(item);
                    }
                }

                break;
        }
    }

    /// <summary>A string URL with user information or a query, those replaced by <see cref="Masked"/>; null for anything else.</summary>
    private static string? StrippedUrl(JsonNode node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { } text
            || !text.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0))
        {
            return null;
        }

        var server = uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var path = uri.GetComponents(UriComponents.Path, UriFormat.UriEscaped);
        if (uri.UserInfo.Length > 0)
        {
            server = server.Replace("://", "://" + Masked + "@", StringComparison.Ordinal);
        }

        return server + "/" + path + (uri.Query.Length > 0 ? "?" + Masked : "");
    }

    [GeneratedRegex("password|secret|token|key$|keys$|connectionstring|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
