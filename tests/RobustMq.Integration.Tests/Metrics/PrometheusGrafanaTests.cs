using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Metrics;

/// <summary>
/// <c>/metrics</c> after traffic, and the Grafana dashboard <c>deploy/grafana/robustmq.json</c> against a real
/// Prometheus (Debian's <c>/usr/bin/prometheus</c>, scraping the broker every second): every query in the dashboard
/// returns at least one series. One broker and one Prometheus for the class.
/// </summary>
[Trait("Topology", "SingleNode")] // one Prometheus scrapes one node
public sealed class PrometheusGrafanaTests(PrometheusGrafanaTests.Fixture fixture) : IClassFixture<PrometheusGrafanaTests.Fixture>
{
    private const string Topic = "metrics/registered";

    [Fact]
    public async Task Metrics_lists_the_operations_families_with_the_traffic_counted()
    {
        var body = await fixture.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        foreach (var series in new[]
        {
            "mqtt_packets_received_total{type=\"publish\"}", "mqtt_packets_received_total{type=\"connect\"}", "mqtt_packets_received_total{type=\"subscribe\"}",
            "mqtt_packets_sent_total{type=\"connack\"}", "mqtt_packets_sent_total{type=\"publish\"}", "mqtt_packets_sent_total{type=\"pubrec\"}",
            "mqtt_messages_received_total{qos=\"0\"}", "mqtt_messages_received_total{qos=\"1\"}", "mqtt_messages_received_total{qos=\"2\"}",
            "mqtt_messages_sent_total{qos=\"2\"}", "mqtt_retain_packets_received_total", "mqtt_session_created_total", "mqtt_acl_success_total{action=\"publish\"}",
            "robustmq_messages_dropped_total{reason=\"no_subscribers\"}", "mqtt_messages_dropped_total{qos=\"0\"}",
            $"topic_messages_written_total{{topic=\"{Topic}\",qos=\"1\"}}", $"topic_messages_sent_total{{topic=\"{Topic}\",qos=\"1\"}}",
            "robustmq_storage_write_duration_seconds_count{backend=\"rocksdb\"}",
        })
        {
            Assert.True(Value(body, series) > 0, $"{series} should be counted after the traffic; /metrics has: {Lines(body, series)}");
        }

        foreach (var family in new[]
        {
            "mqtt_packets_received_error_total", "mqtt_packets_missed_total", "mqtt_retain_packets_sent_total", "mqtt_messages_expired_total", "mqtt_messages_forward_total",
            "mqtt_connections_count", "mqtt_sessions_count", "mqtt_session_deleted_total", "mqtt_subscriptions_count", "mqtt_subscriptions_shared_count",
            "mqtt_subscriptions_exclusive_count", "mqtt_subscribers_count", "mqtt_topics_count", "mqtt_retained_count", "mqtt_acl_failed_total",
            "robustmq_storage_writes_pending", "robustmq_grain_call_duration_seconds_bucket", "topic_messages_dropped_total", "robustmq_sys_events_dropped_total",
        })
        {
            Assert.Contains("\n" + family, body, StringComparison.Ordinal);
        }

        Assert.True(Value(body, "mqtt_connections_count") >= 1, Lines(body, "mqtt_connections_count"));
        Assert.True(Value(body, "mqtt_subscriptions_count") >= 1, Lines(body, "mqtt_subscriptions_count"));
    }

    [Fact]
    public async Task Every_query_of_the_Grafana_dashboard_returns_series_from_Prometheus()
    {
        var queries = DashboardQueries();
        Assert.True(queries.Count >= 20, $"the dashboard has only {queries.Count} queries");

        using var prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Prometheus.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        var empty = new List<string>(queries);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (empty.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var expr in empty.ToList())
            {
                if (await SeriesAsync(prometheus, expr) > 0)
                {
                    empty.Remove(expr);
                }
            }

            if (empty.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        Assert.True(empty.Count == 0, $"{empty.Count} of {queries.Count} dashboard queries returned no series within 45 s:\n{string.Join("\n", empty)}");
    }

    /// <summary>Every <c>expr</c> of the dashboard, with Grafana's variables as Grafana would fill them.</summary>
    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Fixture.DashboardPath()));
        var queries = new List<string>();
        Collect(dashboard.RootElement, queries);
        return [.. queries.Select(q => q.Replace("$__rate_interval", "30s", StringComparison.Ordinal).Replace("$__interval", "5s", StringComparison.Ordinal)
            .Replace("$__range", "5m", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal))];
    }

    private static void Collect(JsonElement element, List<string> queries)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        queries.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        Collect(property.Value, queries);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, queries);
                }

                break;
        }
    }

    private static async Task<int> SeriesAsync(HttpClient prometheus, string expr)
    {
        using var response = await prometheus.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(expr), UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Prometheus refused the dashboard query {expr}: {(int)response.StatusCode} {body}");
        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    private static double Value(string body, string series)
    {
        var match = Regex.Match(body, "(?m)^" + Regex.Escape(series) + " (\\S+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private static string Lines(string body, string series)
    {
        var family = series.Split('{')[0];
        return string.Join(" | ", body.Split('\n').Where(l => l.StartsWith(family, StringComparison.Ordinal)));
    }

    /// <summary>
    /// A broker with traffic on it (QoS 0, 1 and 2 to a registered topic with a subscriber, a retained message, a publish
    /// nobody subscribed to, a shared subscription), and a Prometheus scraping its <c>/metrics</c> every second.
    /// </summary>
    public sealed class Fixture : BrokerFixture
    {
        private ServerProcess? _prometheus;
        private IMqttClient? _subscriber;
        private IMqttClient? _publisher;

        public HttpClient Http { get; private set; } = null!;

        public ServerProcess Prometheus => _prometheus ?? throw new InvalidOperationException("not started");

        /// <summary>deploy/grafana/robustmq.json of this checkout.</summary>
        public static string DashboardPath()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                var path = Path.Combine(folder.FullName, "deploy", "grafana", "robustmq.json");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("deploy/grafana/robustmq.json not found above " + AppContext.BaseDirectory);
        }

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AdminPort}"), Timeout = TimeSpan.FromSeconds(15) };
            var adminPort = AdminPort;
            _prometheus = await ServerProcess.StartAsync(
                "/usr/bin/prometheus",
                (port, folder) =>
                [
                    $"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                    $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                ],
                "prometheus",
                TimeSpan.FromSeconds(30),
                folder => File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: robustmq
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['127.0.0.1:{adminPort}']
                    """));
            await DriveTrafficAsync();
        }

        public override async Task DisposeAsync()
        {
            _prometheus?.Dispose();
            _subscriber?.Dispose();
            _publisher?.Dispose();
            Http?.Dispose();
            await base.DisposeAsync();
        }

        private async Task DriveTrafficAsync()
        {
            using (var login = await Http.PostAsJsonAsync("/api/v1/login", new { username = "admin", password = "public" }))
            {
                var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
                using var register = new HttpRequestMessage(HttpMethod.Post, "/api/v1/topic_metrics") { Content = JsonContent.Create(new { topic = Topic }) };
                register.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var registered = await Http.SendAsync(register);
                Assert.True(registered.StatusCode == HttpStatusCode.Created, $"registering {Topic}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
            }

            // Both stay connected while the class runs (the gauges count them).
            var subscriber = _subscriber = await Mqtt.ConnectAsync(this, "metrics-subscriber");
            var received = new MessageCollector(subscriber);
            await subscriber.SubscribeAsync(Topic, MqttQualityOfServiceLevel.ExactlyOnce);
            await subscriber.SubscribeAsync("$share/metrics/metrics/shared", MqttQualityOfServiceLevel.AtLeastOnce);
            var publisher = _publisher = await Mqtt.ConnectAsync(this, "metrics-publisher");
            foreach (var qos in new[] { MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce })
            {
                await publisher.PublishAsync(Mqtt.Message(Topic, "m", qos).Build());
                await received.NextAsync($"the subscriber waits for the QoS {(int)qos} message");
            }

            await publisher.PublishAsync(Mqtt.Message("metrics/retained", "r", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
            await publisher.PublishAsync(Mqtt.Message("metrics/nobody", "x").Build());
            // Wait for the topic's counters to be on a scrape (the queries need two samples in their window).
            await Eventually.TrueAsync(async () => (await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains($"topic_messages_sent_total{{topic=\"{Topic}\",qos=\"2\"}} 1", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "the registered topic's QoS 2 delivery is counted");
        }
    }
}
