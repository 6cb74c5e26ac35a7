using System.CommandLine;

namespace RobustMq.Cli;

/// <summary>
/// <c>robust-ctl mqtt session|subscribes|topic|retained|publish|shared-group|flapping-detect ...</c> and
/// <c>robust-ctl cluster config ...</c> (RobustMQ's verbs) over <c>/api/v1</c>; <c>mqtt subscribe</c> is
/// <see cref="SubscribeCommand"/>, a real MQTT client.
/// </summary>
internal static class SessionCommands
{
    public static Command Sessions()
    {
        var clientId = new Option<string>("--client-id") { Description = "only client ids containing this (any case)" };
        var connected = new Option<bool?>("--connected") { Description = "only connected (true) or only stored (false) sessions" };
        var list = new Command("list", "Sessions of every node, connected or stored, by client id") { clientId, connected };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            $"/api/v1/sessions?{Ctl.Paging(p)}{Query("clientid", p.GetValue(clientId))}{Query("connected", p.GetValue(connected)?.ToString().ToLowerInvariant())}", null, ct)));

        var id = new Argument<string>("client-id");
        var delete = new Command("delete", "End a session (its client is disconnected with 0x98 first)") { id };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, "/api/v1/sessions/" + Uri.EscapeDataString(p.GetValue(id)!), null, ct), "deleted"));

        var showId = new Argument<string>("client-id");
        var show = new Command("get", "One session, with its subscriptions") { showId };
        show.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/sessions/" + Uri.EscapeDataString(p.GetValue(showId)!), null, ct)));
        return new Command("session", "Sessions (connected and stored)") { list, show, delete };
    }

    public static Command Subscribes()
    {
        var clientId = new Option<string>("--client-id") { Description = "only client ids containing this (any case)" };
        var topic = new Option<string>("--topic") { Description = "only this filter, as subscribed" };
        var qos = new Option<int?>("--qos") { Description = "only this QoS" };
        var group = new Option<string>("--share-group") { Description = "only members of this shared subscription group" };
        var list = new Command("list", "Subscriptions of every session, by client id") { clientId, topic, qos, group };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            $"/api/v1/subscriptions?{Ctl.Paging(p)}{Query("clientid", p.GetValue(clientId))}{Query("topic", p.GetValue(topic))}{Query("qos", p.GetValue(qos)?.ToString(System.Globalization.CultureInfo.InvariantCulture))}{Query("share_group", p.GetValue(group))}", null, ct)));
        var command = new Command("subscribes", "Subscriptions") { list };
        command.Aliases.Add("subscription");
        return command;
    }

    public static Command Topics()
    {
        var topic = new Option<string>("--topic") { Description = "only filters containing this (any case)" };
        var list = new Command("list", "The route table: filters with subscribers, per node") { topic };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/topics?{Ctl.Paging(p)}{Query("topic", p.GetValue(topic))}", null, ct)));
        return new Command("topic", "Topics (the route table)") { list };
    }

    public static Command Retained()
    {
        var topic = new Option<string>("--topic") { Description = "only topics containing this (any case), or matching this filter" };
        var list = new Command("list", "Retained messages, by topic") { topic };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/retainer/messages?{Ctl.Paging(p)}{Query("topic", p.GetValue(topic))}", null, ct)));

        var getTopic = new Argument<string>("topic");
        var get = new Command("get", "One retained message (payload in base64)") { getTopic };
        get.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/retainer/message/" + TopicPath(p.GetValue(getTopic)!), null, ct)));

        var deleteTopic = new Argument<string>("topic");
        var delete = new Command("delete", "Clear a retained message") { deleteTopic };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, "/api/v1/retainer/message/" + TopicPath(p.GetValue(deleteTopic)!), null, ct), "deleted"));
        return new Command("retained", "Retained messages") { list, get, delete };
    }

    public static Command Publish()
    {
        var topic = new Option<string>("--topic") { Description = "the topic name", Required = true };
        var payload = new Option<string>("--payload") { Description = "the payload (text; see --payload-encoding)", DefaultValueFactory = _ => "" };
        var encoding = new Option<string>("--payload-encoding") { Description = "plain or base64", DefaultValueFactory = _ => "plain" };
        encoding.AcceptOnlyFromAmong("plain", "base64");
        var qos = new Option<int>("--qos") { Description = "0, 1 or 2", DefaultValueFactory = _ => 0 };
        qos.AcceptOnlyFromAmong("0", "1", "2");
        var retain = new Option<bool>("--retain") { Description = "retain the message" };
        var publish = new Command("publish", "Publish a message through the broker (POST /api/v1/publish)") { topic, payload, encoding, qos, retain };
        publish.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Post, "/api/v1/publish", new
        {
            topic = p.GetValue(topic),
            payload = p.GetValue(payload),
            payload_encoding = p.GetValue(encoding),
            qos = p.GetValue(qos),
            retain = p.GetValue(retain),
        }, ct)));
        return publish;
    }

    public static Command SharedGroups()
    {
        var group = new Option<string>("--group") { Description = "only this group" };
        var list = new Command("list", "Shared subscriptions and their members") { group };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/shared_groups?{Ctl.Paging(p)}{Query("group", p.GetValue(group))}", null, ct)));
        return new Command("shared-group", "Shared subscription groups") { list };
    }

    public static Command Flapping()
    {
        var list = new Command("list", "Client ids banned by flapping detection");
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/flapping?{Ctl.Paging(p)}", null, ct)));
        return new Command("flapping-detect", "Flapping detection's bans") { list };
    }

    public static Command Config()
    {
        var get = new Command("get", "The configuration in force (secrets masked) and the settings that can change live");
        get.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/configs", null, ct)));

        var key = new Argument<string>("key") { Description = "Section:Key, e.g. Flapping:MaxConnects (cluster config get lists them under live)" };
        var value = new Argument<string>("value");
        var set = new Command("set", "Change a setting on every node (stored: a restart keeps it)") { key, value };
        set.SetAction(Ctl.Call(async (p, api, ct) =>
        {
            var answer = await api.SendAsync(HttpMethod.Put, "/api/v1/configs", new Dictionary<string, string> { [p.GetValue(key)!] = p.GetValue(value)! }, ct);
            return answer is { } json && json.TryGetProperty("live", out var live) ? live : answer;
        }));
        return new Command("config", "Run-time configuration") { get, set };
    }

    /// <summary>A topic in a URL path: each level escaped, the '/' kept.</summary>
    private static string TopicPath(string topic) => string.Join('/', topic.Split('/').Select(Uri.EscapeDataString));

    private static string Query(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";
}
