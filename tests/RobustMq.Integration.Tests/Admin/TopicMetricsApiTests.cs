using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// <c>/api/v1/topic_metrics</c> (EMQX's topic metrics): registering a topic, the cluster's counts of its messages in and
/// out by QoS (in the cluster run the subscriber and the publisher are on different silos, so the counts are two
/// nodes' summed), and what the API refuses.
/// </summary>
public sealed class TopicMetricsApiTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(15) };

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var login = await _http.PostAsJsonAsync("/api/v1/login", new { username = "admin", password = "public" });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task A_registered_topic_counts_its_messages_in_and_out_by_qos_across_the_cluster()
    {
        const string topic = "tm/counted";
        using (var created = await SendAsync(HttpMethod.Post, "/api/v1/topic_metrics", new { topic }))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }

        using var subscriber = await Mqtt.ConnectAsync(broker, "tm-subscriber");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "tm-publisher");
        // Every node counts the topic once it has read the registration (the change is told to every node before the POST answers).
        await publisher.PublishAsync(Mqtt.Message(topic, "1", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message(topic, "2", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message(topic, "3", MqttQualityOfServiceLevel.ExactlyOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("tm/other", "x").Build());
        for (var i = 1; i <= 3; i++)
        {
            await received.NextAsync($"subscriber waits for message {i}");
        }

        JsonElement metrics = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, "/api/v1/topic_metrics");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, body.GetProperty("nodes_not_answering").GetInt32());
            var item = body.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == topic);
            metrics = item.GetProperty("metrics");
            return metrics.GetProperty("messages.out.count").GetInt64() == 3;
        }, TimeSpan.FromSeconds(10), "the three deliveries are counted out");

        Assert.Equal(3, metrics.GetProperty("messages.in.count").GetInt64());
        Assert.Equal(2, metrics.GetProperty("messages.qos1.in.count").GetInt64());
        Assert.Equal(1, metrics.GetProperty("messages.qos2.in.count").GetInt64());
        Assert.Equal(0, metrics.GetProperty("messages.qos0.in.count").GetInt64());
        Assert.Equal(2, metrics.GetProperty("messages.qos1.out.count").GetInt64());
        Assert.Equal(0, metrics.GetProperty("messages.dropped.count").GetInt64());
        Assert.True(metrics.TryGetProperty("messages.in.rate", out _));

        using (var one = await SendAsync(HttpMethod.Get, "/api/v1/topic_metrics/" + Uri.EscapeDataString(topic)))
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(topic, (await one.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("topic").GetString());
        }
    }

    [Fact]
    public async Task The_API_refuses_filters_and_duplicates_and_deletes_a_registration()
    {
        using (var filter = await SendAsync(HttpMethod.Post, "/api/v1/topic_metrics", new { topic = "tm/+" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
        }

        using (var first = await SendAsync(HttpMethod.Post, "/api/v1/topic_metrics", new { topic = "tm/deleted" }))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using (var again = await SendAsync(HttpMethod.Post, "/api/v1/topic_metrics", new { topic = "tm/deleted" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("ALREADY_EXISTS", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using (var deleted = await SendAsync(HttpMethod.Delete, "/api/v1/topic_metrics/tm%2Fdeleted"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var gone = await SendAsync(HttpMethod.Delete, "/api/v1/topic_metrics/tm%2Fdeleted"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal("TOPIC_NOT_FOUND", (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
    }
}
