using System.CommandLine;
using System.Text.Json;

namespace RobustMq.Cli;

/// <summary>
/// <c>robust-ctl mqtt trace ...</c>, <c>mqtt slow-subscribe ...</c>, <c>mqtt system-alarm ...</c>: trace, slow
/// subscriptions and alarms (the API's <c>/api/v1/trace</c>, <c>/slow_subscriptions</c>, <c>/alarms</c>).
/// </summary>
internal static class OpsCommands
{
    public static IEnumerable<Command> Build() => [Trace(), SlowSubscribe(), SystemAlarm()];

    private static Command Trace()
    {
        var list = new Command("list", "Traces, their status and log size (every node's files)");
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/trace?{Ctl.Paging(p)}", null, ct)));

        var name = Name();
        var type = new Option<string>("--type") { Description = "clientid, topic or ip_address", Required = true };
        type.AcceptOnlyFromAmong("clientid", "topic", "ip_address");
        var clientId = new Option<string>("--clientid") { Description = "the client id to follow (--type clientid)" };
        var topic = new Option<string>("--topic") { Description = "the topic filter to follow (--type topic)" };
        var ip = new Option<string>("--ip-address") { Description = "the client address to follow (--type ip_address)" };
        var duration = new Option<long?>("--duration-s") { Description = "how long it runs, in seconds (default Trace:DefaultDurationSeconds, 600)" };
        var startAt = new Option<DateTimeOffset?>("--start-at") { Description = "when it starts (ISO 8601; default now)" };
        var endAt = new Option<DateTimeOffset?>("--end-at") { Description = "when it ends (ISO 8601; instead of --duration-s)" };
        var start = new Command("start", "Start a trace: every packet of the clients it follows, on every node") { name, type, clientId, topic, ip, duration, startAt, endAt };
        start.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Post, "/api/v1/trace", new Dictionary<string, object?>
        {
            ["name"] = p.GetValue(name),
            ["type"] = p.GetValue(type),
            ["clientid"] = p.GetValue(clientId),
            ["topic"] = p.GetValue(topic),
            ["ip_address"] = p.GetValue(ip),
            ["duration_s"] = p.GetValue(duration),
            ["start_at"] = p.GetValue(startAt),
            ["end_at"] = p.GetValue(endAt),
        }, ct)));

        var stopName = Name();
        var stop = new Command("stop", "Stop a trace early (its files stay)") { stopName };
        stop.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Put, $"/api/v1/trace/{Uri.EscapeDataString(p.GetValue(stopName)!)}/stop", null, ct)));

        var deleteName = Name();
        var delete = new Command("delete", "Delete a trace and its files") { deleteName };
        delete.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Delete, $"/api/v1/trace/{Uri.EscapeDataString(p.GetValue(deleteName)!)}", null, ct), "deleted"));

        var downloadName = Name();
        var download = new Command("download", "Print a trace's log: every node's packets, one a line, in time order") { downloadName };
        download.SetAction(Ctl.Call(async (p, api, ct) =>
            (JsonElement?)JsonSerializer.SerializeToElement(await api.GetTextAsync($"/api/v1/trace/{Uri.EscapeDataString(p.GetValue(downloadName)!)}/download", ct))));
        return new Command("trace", "Packet traces by client id, topic or IP address") { list, start, stop, delete, download };
    }

    private static Command SlowSubscribe()
    {
        var list = new Command("list", "The slowest subscriber/topic pairs of every node, slowest first (timespan in ms)");
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get, $"/api/v1/slow_subscriptions?{Ctl.Paging(p)}", null, ct)));
        var clear = new Command("clear", "Forget every node's slow subscriptions");
        clear.SetAction(Ctl.Call((_, api, ct) => api.SendAsync(HttpMethod.Delete, "/api/v1/slow_subscriptions", null, ct), "cleared"));
        return new Command("slow-subscribe", "Slow subscriptions (SlowSubs:Enable, PUT /api/v1/slow_subscriptions/settings)") { list, clear };
    }

    private static Command SystemAlarm()
    {
        var activated = new Option<bool?>("--activated") { Description = "only activated (true) or deactivated (false) alarms" };
        var list = new Command("list", "Every node's alarms, newest first") { activated };
        list.WithPaging();
        list.SetAction(Ctl.Call((p, api, ct) => api.SendAsync(HttpMethod.Get,
            $"/api/v1/alarms?{Ctl.Paging(p)}{(p.GetValue(activated) is { } a ? "&activated=" + (a ? "true" : "false") : "")}", null, ct)));
        return new Command("system-alarm", "Alarms: memory, CPU, storage errors, queue limits") { list };
    }

    private static Option<string> Name() => new("--name") { Description = "the trace's name", Required = true };
}
