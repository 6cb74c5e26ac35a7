using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Gateway.Metrics;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Acl;

/// <summary>
/// A wildcard subscription the ACL allows (<c>#</c>, <c>+/x</c>) does not bring topics a deny rule refuses to
/// the client (<c>deny subscribe secret/#</c>): live, retained, shared and queued for an offline session.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class AclReadCheckTests(AclBrokerFixture broker) : IClassFixture<AclBrokerFixture>
{
    private const MqttQualityOfServiceLevel QoS1 = MqttQualityOfServiceLevel.AtLeastOnce;

    private double NotAuthorizedDrops => broker.Services.GetRequiredService<BrokerMetrics>().MessagesDropped.WithLabels("not_authorized").Value;

    [Fact]
    public async Task Subscriber_to_hash_does_not_receive_a_topic_denied_for_subscribe_and_the_drop_is_counted()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "acl-read-hash");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("#", QoS1);
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-read-hash-pub");
        var dropsBefore = NotAuthorizedDrops;

        await publisher.PublishAsync(Mqtt.Message("secret/hash", "leak", QoS1).Build());
        await publisher.PublishAsync(Mqtt.Message("open/hash", "marker", QoS1).Build());

        var seen = await received.UntilTopicAsync("open/hash", "'#' subscriber waits for the allowed marker");
        Assert.DoesNotContain(seen, m => m.Topic == "secret/hash");
        Assert.Equal(dropsBefore + 1, NotAuthorizedDrops);
    }

    [Fact]
    public async Task Subscriber_to_plus_x_receives_open_x_but_not_secret_x()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "acl-read-plus");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("+/x", QoS1);
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-read-plus-pub");

        await publisher.PublishAsync(Mqtt.Message("secret/x", "leak", QoS1).Build());
        await publisher.PublishAsync(Mqtt.Message("open/x", "marker", QoS1).Build());

        var first = await received.NextAsync("'+/x' subscriber's first message");
        Assert.Equal("open/x", first.Topic);
    }

    [Fact]
    public async Task Retained_message_on_a_denied_topic_is_not_sent_to_a_wildcard_subscriber()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-read-retain-pub");
        await publisher.PublishAsync(Mqtt.Message("secret/r", "leak", QoS1).WithRetainFlag().Build());
        await publisher.PublishAsync(Mqtt.Message("open/r", "kept", QoS1).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "acl-read-retain");
        var received = new MessageCollector(subscriber);

        await subscriber.SubscribeAsync("+/r", QoS1);
        // The subscriber's own PUBLISH is read after its SUBSCRIBE has sent the retained messages, so it comes last.
        await subscriber.PublishAsync(Mqtt.Message("marker/r", "marker", QoS1).Build());

        var seen = await received.UntilTopicAsync("marker/r", "'+/r' subscriber waits for its own marker after the retained messages");
        Assert.Contains(seen, m => m.Topic == "open/r");
        Assert.DoesNotContain(seen, m => m.Topic == "secret/r");
    }

    [Fact]
    public async Task Shared_group_gives_a_denied_topic_only_to_the_member_allowed_to_read_it()
    {
        using var denied = await Mqtt.ConnectAsync(broker, "acl-share-denied");
        using var allowed = await Mqtt.ConnectAsync(broker, "acl-share-allowed");
        var allowedReceived = new MessageCollector(allowed);
        await denied.SubscribeAsync("$share/aclg/+/v", QoS1);
        await allowed.SubscribeAsync("$share/aclg/+/v", QoS1);
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-share-pub");

        for (var i = 0; i < 4; i++)
        {
            await publisher.PublishAsync(Mqtt.Message("vault/v", $"m{i}", QoS1).Build());
        }

        for (var i = 0; i < 4; i++)
        {
            var message = await allowedReceived.NextAsync($"allowed member waits for vault/v message {i + 1} of 4");
            Assert.Equal($"m{i}", message.ConvertPayloadToString()); // each message goes to one member: none to the denied one
        }
    }

    [Fact]
    public async Task Queued_message_on_a_denied_topic_is_not_delivered_when_a_persistent_session_resumes()
    {
        var subscriber = await Mqtt.ConnectAsync(broker, "acl-read-offline", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(300));
        await subscriber.SubscribeAsync("+/q", QoS1);
        await subscriber.DisconnectAsync();
        subscriber.Dispose();
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-read-offline-pub");

        await publisher.PublishAsync(Mqtt.Message("secret/q", "leak", QoS1).Build());
        await publisher.PublishAsync(Mqtt.Message("open/q", "marker", QoS1).Build());
        using var resumed = Mqtt.NewClient();
        var received = new MessageCollector(resumed);
        await resumed.ConnectAsync(Mqtt.Options(broker, "acl-read-offline").WithCleanStart(false).WithSessionExpiryInterval(300).Build());

        var first = await received.NextAsync("resumed session's first queued message");
        Assert.Equal("open/q", first.Topic);
    }

    [Fact]
    public async Task Session_resumed_under_another_user_name_gets_only_what_that_user_may_read()
    {
        // 'owner' may read all of private/#, so its subscription carries no read check.
        var owner = await Mqtt.ConnectAsync(broker, "acl-read-swap", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(300).WithCredentials("owner", "pw"));
        await owner.SubscribeAsync("private/#", QoS1);
        await owner.DisconnectAsync();
        owner.Dispose();
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-read-swap-pub");
        await publisher.PublishAsync(Mqtt.Message("private/hidden", "queued leak", QoS1).Build());
        await publisher.PublishAsync(Mqtt.Message("private/open", "queued", QoS1).Build());
        using var guest = Mqtt.NewClient();
        var received = new MessageCollector(guest);

        await guest.ConnectAsync(Mqtt.Options(broker, "acl-read-swap").WithCleanStart(false).WithSessionExpiryInterval(300).WithCredentials("guest", "pw").Build());
        await publisher.PublishAsync(Mqtt.Message("private/hidden", "live leak", QoS1).Build());
        await publisher.PublishAsync(Mqtt.Message("private/open2", "live", QoS1).Build());

        var first = await received.NextAsync("guest's first message (queued while offline)");
        var second = await received.NextAsync("guest's second message (live after resuming)");
        Assert.Equal(["private/open", "private/open2"], new[] { first.Topic, second.Topic });
    }
}
