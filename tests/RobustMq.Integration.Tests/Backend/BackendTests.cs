using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Abstractions;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Backend;

public sealed class BackendTests(BackendBrokerFixture broker) : IClassFixture<BackendBrokerFixture>
{
    [Fact]
    public async Task Message_published_through_the_publisher_grain_reaches_an_mqtt_subscriber()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "backend-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("backend/out", MqttQualityOfServiceLevel.AtLeastOnce);

        var matched = await broker.Cluster.GetGrain<IPublisherGrain>(0)
            .Publish(new BrokerMessage("backend/out", Encoding.UTF8.GetBytes("from-backend"), QoS: 1, Retain: false))
            .WithTimeout("backend publishes through IPublisherGrain");

        Assert.Equal(1, matched);
        var message = await received.NextAsync("MQTT subscriber waits for the backend message");
        Assert.Equal(("backend/out", "from-backend", MqttQualityOfServiceLevel.AtLeastOnce), (message.Topic, message.ConvertPayloadToString(), message.QualityOfServiceLevel));
    }

    [Fact]
    public async Task Session_grain_reports_a_connected_client_and_its_subscriptions()
    {
        using var client = await Mqtt.ConnectAsync(broker, "backend-info");
        await client.SubscribeAsync("backend/info/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var info = await broker.Cluster.GetGrain<ISessionGrain>("backend-info").GetInfo().WithTimeout("backend reads the session");

        Assert.True(info.Exists);
        Assert.True(info.Connected);
        Assert.Equal("backend-info", info.ClientId);
        Assert.Equal(5, info.ProtocolVersion);
        var subscription = Assert.Single(info.Subscriptions);
        Assert.Equal(("backend/info/#", (byte)1), (subscription.Filter, subscription.QoS));
    }

    [Fact]
    public async Task Session_grain_reports_no_session_once_a_clean_client_has_disconnected()
    {
        using (var client = await Mqtt.ConnectAsync(broker, "backend-clean-gone"))
        {
            await client.SubscribeAsync("backend/clean/#", MqttQualityOfServiceLevel.AtLeastOnce);
            await client.DisconnectAsync();
        }

        // DISCONNECT is handled by the broker after the client has sent it: the session ends a moment later.
        var info = await broker.Cluster.GetGrain<ISessionGrain>("backend-clean-gone").GetInfo().WithTimeout("backend reads the ended clean session");
        for (var attempt = 0; info.Exists && attempt < 50; attempt++)
        {
            await Task.Delay(100);
            info = await broker.Cluster.GetGrain<ISessionGrain>("backend-clean-gone").GetInfo().WithTimeout("backend reads the ended clean session");
        }

        Assert.False(info.Exists);
        Assert.False(info.Connected);
        Assert.Empty(info.Subscriptions);
    }

    [Fact]
    public async Task Kick_closes_the_client_with_administrative_action()
    {
        using var client = Mqtt.NewClient();
        var closed = new DisconnectWatcher(client);
        await client.ConnectAsync(Mqtt.Options(broker, "backend-kick").Build());

        var kicked = await broker.Cluster.GetGrain<ISessionGrain>("backend-kick").Kick().WithTimeout("backend kicks the client");

        Assert.True(kicked);
        var disconnected = await closed.WaitAsync("kicked client");
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, disconnected.Reason);
    }

    [Fact]
    public async Task Kick_of_an_unknown_client_returns_false()
    {
        var kicked = await broker.Cluster.GetGrain<ISessionGrain>("backend-nobody").Kick().WithTimeout("backend kicks a client that is not there");

        Assert.False(kicked);
    }
}
