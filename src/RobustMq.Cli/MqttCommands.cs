using System.CommandLine;
using System.Text.Json;

namespace RobustMq.Cli;

/// <summary><c>robust-ctl mqtt ...</c>: clients, users, ACL, blacklist (RobustMQ's verbs, the API's fields).</summary>
internal static class MqttCommands
{
    public static Command Build()
    {
        var mqtt = new Command("mqtt", "MQTT: overview, clients, sessions, subscriptions, topics, retained, publish/subscribe, users, ACL, blacklist, trace, slow subscriptions, alarms")
        {
            Overview(),
            Clients(),
            Users(),
            Acl(),
            Blacklist(),
            SessionCommands.Sessions(),
            SessionCommands.Subscribes(),
            SessionCommands.Topics(),
            SessionCommands.Retained(),
            SessionCommands.Publish(),
            SubscribeCommand.Build(),
            SessionCommands.SharedGroups(),
            SessionCommands.Flapping(),
        };
        foreach (var command in OpsCommands.Build())
        {
            mqtt.Subcommands.Add(command);
        }

        return mqtt;
    }

    private static Command Overview()
    {
        var overview = new Command("overview", "The cluster's connections, routes and message counts");
        overview.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/overview", null, ct)));
        return overview;
    }

    private static Command Clients()
    {
        var clientId = new Option<string>("--client-id") { Description = "only client ids containing this (any case)" };
        var userName = new Option<string>("--username") { Description = "only user names containing this" };
        var peer = new Option<string>("--peerhost") { Description = "only peer addresses containing this" };
        var list = new Command("list", "Connected clients of every node, by client id") { clientId, userName, peer };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            $"/api/v1/clients?{Ctl.Paging(p)}{Query("clientid", p.GetValue(clientId))}{Query("username", p.GetValue(userName))}{Query("peerhost", p.GetValue(peer))}", null, ct)));

        var id = new Argument<string>("client-id");
        var kick = new Command("kick", "Disconnect a client (DISCONNECT 0x98 Administrative action)") { id };
        kick.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, "/api/v1/clients/" + Uri.EscapeDataString(p.GetValue(id)!), null, ct), "kicked"));
        return new Command("client", "Connected clients") { list, kick };
    }

    private static Command Users()
    {
        var list = new Command("list", "The built-in store's users");
        list.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/users", null, ct)));

        var name = new Option<string>("--username") { Description = "the user name", Required = true };
        var password = new Option<string>("--password") { Description = "its password", Required = true };
        var superuser = new Option<bool>("--is-superuser") { Description = "not checked against the ACL" };
        var create = new Command("create", "Create or replace a user") { name, password, superuser };
        create.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Put, "/api/v1/users/" + Uri.EscapeDataString(p.GetValue(name)!),
            new { password = p.GetValue(password), superuser = p.GetValue(superuser) }, ct)));

        var deleteName = new Option<string>("--username") { Description = "the user name", Required = true };
        var delete = new Command("delete", "Delete a user") { deleteName };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, "/api/v1/users/" + Uri.EscapeDataString(p.GetValue(deleteName)!), null, ct), "deleted"));
        return new Command("user", "The built-in store's MQTT users") { list, create, delete };
    }

    private static Command Acl()
    {
        var list = new Command("list", "The built-in ACL store's rules, by subject");
        list.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/acl", null, ct)));

        var (type, name) = Subject();
        var topic = new Option<string>("--topic") { Description = "a topic filter (%c, %u, ${clientid}, ${username}; 'eq t/#' as text)", Required = true };
        var action = new Option<string>("--action") { Description = "publish, subscribe or all", Required = true };
        action.AcceptOnlyFromAmong("publish", "subscribe", "all");
        var permission = new Option<string>("--permission") { Description = "allow or deny", Required = true };
        permission.AcceptOnlyFromAmong("allow", "deny");
        var ip = new Option<string>("--ip") { Description = "only clients from this address or CIDR network" };
        var qos = new Option<int[]>("--qos") { Description = "only these QoS levels (0 1 2)", AllowMultipleArgumentsPerToken = true };
        var retain = new Option<bool?>("--retain") { Description = "only publishes with this RETAIN flag" };
        var create = new Command("create", "Add a rule after the subject's others") { type, name, topic, action, permission, ip, qos, retain };
        create.NeedsName(type, name);
        // One rule added in one call (POST /api/v1/acl/rules), so that two adds at once both stay.
        create.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Post, "/api/v1/acl/rules", new
        {
            who = Who(p.GetValue(type)!, p.GetValue(name)),
            permission = p.GetValue(permission),
            action = p.GetValue(action),
            topic = p.GetValue(topic),
            ipaddr = p.GetValue(ip),
            qos = p.GetValue(qos) is { Length: > 0 } levels ? levels : null,
            retain = p.GetValue(retain),
        }, ct)));

        var (deleteType, deleteName) = Subject();
        var delete = new Command("delete", "Delete a subject's rules") { deleteType, deleteName };
        delete.NeedsName(deleteType, deleteName);
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, SubjectPath(p.GetValue(deleteType)!, p.GetValue(deleteName)), null, ct), "deleted"));
        return new Command("acl", "The built-in ACL store (Acl:Sources builtin)") { list, create, delete };
    }

    private static Command Blacklist()
    {
        var list = new Command("list", "The bans in force");
        list.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Get, "/api/v1/blacklist", null, ct)));

        var kind = BlacklistType();
        var value = new Option<string>("--resource-name") { Description = "the client id, user name, address/CIDR or pattern", Required = true };
        var duration = new Option<long?>("--duration-s") { Description = "how long, in seconds (none: for ever)" };
        var reason = new Option<string>("--desc") { Description = "why" };
        var create = new Command("create", "Ban clients (connected ones are closed)") { kind, value, duration, reason };
        create.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Post, "/api/v1/blacklist",
            new Dictionary<string, object?> { ["kind"] = p.GetValue(kind), ["value"] = p.GetValue(value), ["reason"] = p.GetValue(reason), ["duration_s"] = p.GetValue(duration) }, ct)));

        var deleteKind = BlacklistType();
        var deleteValue = new Option<string>("--resource-name") { Description = "the banned value", Required = true };
        var delete = new Command("delete", "Lift a ban") { deleteKind, deleteValue };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete,
            $"/api/v1/blacklist/{p.GetValue(deleteKind)}/{Uri.EscapeDataString(p.GetValue(deleteValue)!)}", null, ct), "deleted"));
        return new Command("blacklist", "The blacklist") { list, create, delete };
    }

    private static (Option<string> Type, Option<string> Name) Subject()
    {
        var type = new Option<string>("--resource-type") { Description = "user, client or all", Required = true };
        type.AcceptOnlyFromAmong("user", "client", "all");
        var name = new Option<string>("--resource-name") { Description = "the user name or client id (not for all)" };
        return (type, name);
    }

    /// <summary>A command line error (usage, exit 2) when a user or client subject has no name.</summary>
    private static Command NeedsName(this Command command, Option<string> type, Option<string> name)
    {
        command.Validators.Add(result =>
        {
            string? kind;
            try
            {
                kind = result.GetValue(type);
            }
            catch (InvalidOperationException)
            {
                // A type that is not one of the three: the option itself reports it.
                return;
            }

            if (kind is "user" or "client" && string.IsNullOrEmpty(result.GetValue(name)))
            {
                result.AddError($"--resource-name is needed with --resource-type {kind}");
            }
        });
        return command;
    }

    private static Option<string> BlacklistType()
    {
        var kind = new Option<string>("--blacklist-type") { Description = "clientid, username, peerhost, clientid_re or username_re", Required = true };
        kind.AcceptOnlyFromAmong("clientid", "username", "peerhost", "clientid_re", "username_re");
        return kind;
    }

    /// <summary>The subject <c>all</c>, <c>user/{name}</c> or <c>client/{id}</c>.</summary>
    private static string Who(string type, string? name) => type == "all" ? "all" : $"{type}/{NameOf(type, name)}";

    private static string NameOf(string type, string? name) =>
        string.IsNullOrEmpty(name) ? throw new ApiException(400, $"--resource-name is needed with --resource-type {type}") : name;

    private static string SubjectPath(string type, string? name)
    {
        if (type == "all")
        {
            return "/api/v1/acl/all";
        }

        return $"/api/v1/acl/{(type == "user" ? "users" : "clients")}/{Uri.EscapeDataString(NameOf(type, name))}";
    }

    private static string Query(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";

}
