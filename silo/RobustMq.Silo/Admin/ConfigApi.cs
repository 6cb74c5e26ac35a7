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
/// files and environment, defaults filled in, run-time changes applied), secrets (passwords, secrets, tokens, keys,
/// connection strings) shown as <c>"******"</c>; <c>live</c> is the settings that may change at run time
/// (<see cref="RuntimeSettings.Keys"/>) with their values in force.</item>
/// <item><c>PUT /api/v1/configs</c> <c>{"Section:Key": value, ...}</c> (keys of <c>live</c>; a JSON bool, number or
/// string): checked as start-up checks them, stored (every node, and a restart, follow), applied on every node: 200
/// with the <c>GET</c> answer and <c>nodes_not_told</c>; 400 naming the key; 503 when the store cannot be written.</item>
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

            var changes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in body)
            {
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

    /// <summary>Replaces each secret's value (by its name) with <see cref="Masked"/>, at any depth; an empty one stays empty.</summary>
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

                    if (SecretName().IsMatch(name) && value is JsonValue && value.ToString() is { Length: > 0 })
                    {
                        obj[name] = Masked;
                    }
                    else
                    {
                        Mask(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Mask(item);
                    }
                }

                break;
        }
    }

    [GeneratedRegex("password|secret|token|key$|keys$|connectionstring|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
