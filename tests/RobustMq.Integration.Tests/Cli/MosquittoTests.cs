using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Cli;

public sealed class MosquittoTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("mqttv311", 0)]
    [InlineData("mqttv311", 1)]
    [InlineData("mqttv311", 2)]
    [InlineData("mqttv5", 0)]
    [InlineData("mqttv5", 1)]
    [InlineData("mqttv5", 2)]
    public async Task Mosquitto_sub_receives_what_mosquitto_pub_sends_at_each_qos(string version, int qos)
    {
        var topic = $"cli/{version}/q{qos}";
        using var sub = Mosquitto.Sub(broker, version, "-t", topic, "-q", $"{qos}", "-C", "1", "-W", "10");
        await Mosquitto.WaitSubscribedAsync(sub, topic);

        await Mosquitto.PubAsync(broker, version, "-t", topic, "-q", $"{qos}", "-m", "hello-cli");

        var line = await Mosquitto.WaitMessageAsync(sub, topic);
        Assert.Equal($"MSG {topic} {qos} 0 hello-cli", line);
        Assert.Equal(0, await sub.WaitForExitAsync($"{topic}: mosquitto_sub exits after one message"));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Retained_message_from_mosquitto_pub_is_given_to_a_later_mosquitto_sub(string version)
    {
        var topic = $"cli/retained/{version}";
        await Mosquitto.PubAsync(broker, version, "-t", topic, "-q", "1", "-r", "-m", "kept-cli");

        using var sub = Mosquitto.Sub(broker, version, "-t", topic, "-q", "1", "-C", "1", "-W", "10");

        var line = await Mosquitto.WaitMessageAsync(sub, topic);
        Assert.Equal($"MSG {topic} 1 1 kept-cli", line);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Will_of_a_killed_mosquitto_sub_is_published(string version)
    {
        var willTopic = $"cli/will/{version}";
        using var watcher = await Mqtt.ConnectAsync(broker, $"cli-will-watch-{version}");
        var received = new MessageCollector(watcher);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        using var sub = Mosquitto.Sub(broker, version, "-t", $"cli/will-holder/{version}", "--will-topic", willTopic, "--will-payload", "cli-died", "--will-qos", "1");
        await Mosquitto.WaitSubscribedAsync(sub, willTopic);

        sub.Kill();

        var will = await received.NextAsync($"{willTopic}: watcher waits for the will of the killed mosquitto_sub");
        Assert.Equal("cli-died", will.ConvertPayloadToString());
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Persistent_mosquitto_sub_gets_the_message_published_while_it_was_stopped(string version)
    {
        var topic = $"cli/persistent/{version}";
        var clientId = $"cli-persistent-{version}";
        using (var first = Mosquitto.Sub(broker, version, "-c", "-i", clientId, "-q", "1", "-t", topic, "-E"))
        {
            Assert.Equal(0, await first.WaitForExitAsync($"{topic}: first mosquitto_sub subscribes and exits"));
        }

        await Mosquitto.PubAsync(broker, version, "-t", topic, "-q", "1", "-m", "while-away");
        using var second = Mosquitto.Sub(broker, version, "-c", "-i", clientId, "-q", "1", "-t", topic, "-C", "1", "-W", "10");

        var line = await Mosquitto.WaitMessageAsync(second, topic);
        Assert.Equal($"MSG {topic} 1 0 while-away", line);
        await second.WaitForExitAsync($"{topic}: second mosquitto_sub exits after the message");
        using var cleanup = await Mqtt.ConnectAsync(broker, clientId, version == "mqttv5" ? MQTTnet.Formatter.MqttProtocolVersion.V500 : MQTTnet.Formatter.MqttProtocolVersion.V311);
        await cleanup.DisconnectAsync();
    }
}
