using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace RobustMq.Cli;

/// <summary>
/// <c>robust-ctl &lt;cluster|mqtt|engine&gt; [--server URL] [--output table|json] ...</c>: RobustMQ's command shapes over the
/// admin API (<c>/api/v1</c>, docs/operations.md). Exit codes: 0 done; 1 the API refused (its message on stderr);
/// 2 a bad command line (with the usage); 3 the server cannot be reached.
/// </summary>
public static class Ctl
{
    public const int Refused = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;

    private static readonly Option<string> Server = new("--server", "-s")
    {
        Description = "The admin API's base URL (or host:port); also ROBUSTMQ_SERVER",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ROBUSTMQ_SERVER") ?? "http://127.0.0.1:8080",
        Recursive = true,
    };

    private static readonly Option<string> Format = new("--output", "-o")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    private static readonly Option<string> User = Global("--admin-user", "the admin account to log in as", "ROBUSTMQ_ADMIN_USER", "admin");
    private static readonly Option<string> Password = Global("--admin-password", "its password", "ROBUSTMQ_ADMIN_PASSWORD", "public");
    private static readonly Option<string> ApiKey = Global("--api-key", "an API key (POST /api/v1/api_keys) instead of a login", "ROBUSTMQ_API_KEY", "");
    private static readonly Option<string> ApiSecret = Global("--api-secret", "the API key's secret", "ROBUSTMQ_API_SECRET", "");
    private static readonly Option<string> Token = Global("--token", "a login's token instead of a login", "ROBUSTMQ_TOKEN", "");
    private static readonly Option<int> Page = new("--page") { Description = "page of a list, from 1", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> Limit = new("--limit") { Description = "rows per page, 1-1000", DefaultValueFactory = _ => 100 };

    static Ctl()
    {
        Format.AcceptOnlyFromAmong("table", "json");
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("robust-ctl: manage a RobustMq.Orleans cluster through its admin API (docs/operations.md)")
        {
            Server, Format, User, Password, ApiKey, ApiSecret, Token,
            ClusterCommands(),
            MqttCommands.Build(),
            EngineCommands.Build(),
            Completion(),
        };
        return root;
    }

    private const string UsageLine = "Usage: robust-ctl <cluster|mqtt|engine> [--server URL] [--output table|json] <command> ...   (robust-ctl --help, robust-ctl mqtt --help)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var result = Build().Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var problem in result.Errors)
            {
                await error.WriteLineAsync("robust-ctl: " + problem.Message);
            }

            await error.WriteLineAsync(UsageLine);
            return Usage;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>An action that calls the API and prints its answer; maps failures to the exit codes.</summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> Call(Func<ParseResult, ApiClient, CancellationToken, Task<JsonElement?>> call, string? emptyMessage = null) =>
        async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!TryServer(parse.GetValue(Server)!, out var server))
            {
                await error.WriteLineAsync($"robust-ctl: --server '{parse.GetValue(Server)}' is not a URL (http://host:port)");
                await error.WriteLineAsync(UsageLine);
                return Usage;
            }

            using var api = new ApiClient(server, new Credentials(
                parse.GetValue(Token), parse.GetValue(ApiKey), parse.GetValue(ApiSecret), parse.GetValue(User)!, parse.GetValue(Password)!));
            try
            {
                Output.Write(output, await call(parse, api, cancellationToken), parse.GetValue(Format)!, emptyMessage);
                return 0;
            }
            catch (ApiException ex)
            {
                await error.WriteLineAsync($"robust-ctl: {ex.Status} {ex.Message}");
                return Refused;
            }
            catch (HttpRequestException ex)
            {
                await error.WriteLineAsync($"robust-ctl: {server} cannot be reached: {ex.Message}");
                return Unreachable;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"robust-ctl: {server} did not answer in time");
                return Unreachable;
            }
        };

    /// <summary>The paging of a list command, as a query string suffix.</summary>
    internal static string Paging(ParseResult parse) => $"page={parse.GetValue(Page)}&limit={parse.GetValue(Limit)}";

    internal static Command WithPaging(this Command command)
    {
        command.Options.Add(Page);
        command.Options.Add(Limit);
        return command;
    }

    private static Command ClusterCommands()
    {
        var status = new Command("status", "The cluster's nodes and their counts");
        status.SetAction(Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/nodes", null, ct)));
        var overview = new Command("overview", "The cluster's totals");
        overview.SetAction(Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/overview", null, ct)));
        var healthy = new Command("healthy", "Whether the node is ready (exit 0) or not (exit 1): /health/ready, no login");
        healthy.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryServer(parse.GetValue(Server)!, out var server))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"robust-ctl: --server '{parse.GetValue(Server)}' is not a URL (http://host:port)");
                await parse.InvocationConfiguration.Error.WriteLineAsync(UsageLine);
                return Usage;
            }

            using var api = new ApiClient(server, new Credentials(null, null, null, "", ""));
            try
            {
                var (code, body) = await api.GetPublicAsync("/health/ready", cancellationToken);
                await parse.InvocationConfiguration.Output.WriteLineAsync(code == HttpStatusCode.OK ? "ready" : $"not ready ({(int)code} {body})");
                return code == HttpStatusCode.OK ? 0 : Refused;
            }
            catch (HttpRequestException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"robust-ctl: {server} cannot be reached: {ex.Message}");
                return Unreachable;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"robust-ctl: {server} did not answer in time");
                return Unreachable;
            }
        });
        return new Command("cluster", "The cluster: nodes, health, configuration") { status, overview, healthy, SessionCommands.Config() };
    }

    private static Command Completion()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var completion = new Command("completion", "Print a shell completion script: source <(robust-ctl completion bash)") { shell };
        completion.SetAction(parse =>
        {
            var script = parse.GetValue(shell) == "zsh"
                ? "#compdef robust-ctl\n_robust_ctl() { local -a c; c=(\"${(@f)$(robust-ctl \"[suggest:$CURSOR]\" \"$BUFFER\" 2>/dev/null)}\"); _describe 'robust-ctl' c; }\ncompdef _robust_ctl robust-ctl\n"
                : "_robust_ctl() { local IFS=$'\\n'; COMPREPLY=( $(robust-ctl \"[suggest:${COMP_POINT}]\" \"${COMP_LINE}\" 2>/dev/null) ); }\ncomplete -o default -F _robust_ctl robust-ctl\n";
            parse.InvocationConfiguration.Output.Write(script);
            return 0;
        });
        return completion;
    }

    private static Option<string> Global(string name, string description, string environment, string fallback) => new(name)
    {
        Description = $"{description}; also {environment}",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(environment) ?? fallback,
        Recursive = true,
    };

    private static bool TryServer(string text, out Uri server)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(withScheme, UriKind.Absolute, out server!) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps);
    }
}
