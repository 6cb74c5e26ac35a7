using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Acl;

/// <summary>
/// A session taken over under another user name (or with a clean start) gets nothing that was decided for the
/// connection it replaces: not the messages that connection hands on, nor those routed to the client id through the
/// old session's routes while the new one was being attached. <c>guest</c> may not read <c>private/hidden</c>; <c>owner</c> may read all of
/// <c>private/#</c>, so its subscription carries no read check.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class AclReaderChangeTests(AclBrokerFixture broker) : IClassFixture<AclBrokerFixture>
{
    private const MqttQualityOfServiceLevel QoS1 = MqttQualityOfServiceLevel.AtLeastOnce;

    [Fact]
    public async Task Message_in_flight_handed_on_by_a_takeover_under_another_user_name_is_not_sent_to_a_reader_it_denies()
    {
        const string clientId = "acl-change-handon";
        using var drops = new DropMetrics(broker);
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        using var owner = await RawClient.OpenAsync(broker);
        await owner.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, sessionExpiry: 300, userName: "owner");
        await owner.SendAsync(RawPackets.Subscribe(1, "private/#", RawPackets.V5, qos: 1));
        await owner.ExpectAsync(RawPacket.SubAck, "owner waits for SUBACK");
        await publisher.PublishAsync(Mqtt.Message("private/hidden", "in flight", QoS1).Build());
        await owner.ExpectAsync(RawPacket.Publish, "owner waits for the message it will not acknowledge");
        var refusedBefore = await drops.ReadAsync("not_authorized");

        using var guest = Mqtt.NewClient();
        var received = new MessageCollector(guest);
        await guest.ConnectAsync(Resume(clientId, "guest"));
        // The taken-over connection hands its unacknowledged message on to the guest's connection, which refuses it.
        await drops.WaitForAsync("not_authorized", refusedBefore + 1, "guest's connection refuses the handed-on private/hidden");
        await publisher.PublishAsync(Mqtt.Message("private/open", "marker", QoS1).Build());

        var first = await received.NextAsync("guest's first message");
        Console.WriteLine("DEBUG first " + first.Topic);
        Assert.Equal("private/open", first.Topic);
    }

    [Fact]
    public async Task Message_not_yet_sent_handed_on_by_a_takeover_under_another_user_name_is_not_sent_to_a_reader_it_denies()
    {
        const string clientId = "acl-change-unsent";
        using var drops = new DropMetrics(broker);
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        using var owner = await RawClient.OpenAsync(broker);
        await owner.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, sessionExpiry: 300, receiveMaximum: 1, userName: "owner");
        await owner.SendAsync(RawPackets.Subscribe(1, "private/#", RawPackets.V5, qos: 1));
        await owner.ExpectAsync(RawPacket.SubAck, "owner waits for SUBACK");
        await publisher.PublishAsync(Mqtt.Message("private/first", "in flight", QoS1).Build());
        await owner.ExpectAsync(RawPacket.Publish, "owner waits for the message that fills its Receive Maximum of 1");
        // Queued behind the unacknowledged one: never sent to the owner.
        await publisher.PublishAsync(Mqtt.Message("private/hidden", "queued", QoS1).Build());
        var refusedBefore = await drops.ReadAsync("not_authorized");

        using var guest = Mqtt.NewClient();
        var received = new MessageCollector(guest);
        await guest.ConnectAsync(Resume(clientId, "guest"));
        await drops.WaitForAsync("not_authorized", refusedBefore + 1, "guest's connection refuses the handed-on private/hidden that owner never got");
        await publisher.PublishAsync(Mqtt.Message("private/open", "marker", QoS1).Build());

        var first = await received.NextAsync("guest's first message (private/first, handed on)");
        var second = await received.NextAsync("guest's second message");
        Assert.Equal(["private/first", "private/open"], new[] { first.Topic, second.Topic });
    }

    [Fact]
    public async Task Message_routed_to_the_old_clean_session_while_a_new_one_takes_the_client_id_is_not_delivered_to_it()
    {
        const string clientId = "acl-change-clean";
        using var held = new HeldClose();
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        using var listener = TestListener.Start(broker, held.CloseOutputAsync);
        using var old = await RawClient.OpenAsync(listener.Port);
        await old.ConnectAsync(clientId, RawPackets.V5, cleanStart: true, userName: "owner");
        await old.SendAsync(RawPackets.Subscribe(1, "window/#", RawPackets.V5, qos: 1));
        await old.ExpectAsync(RawPacket.SubAck, "old clean session waits for SUBACK");

        using var fresh = Mqtt.NewClient();
        var received = new MessageCollector(fresh);
        await TakeOverWhileAttachingAsync(fresh, Mqtt.Options(broker, clientId).WithCleanStart(true).WithCredentials("owner", "pw").Build(), held, publisher, "window/old");
        await fresh.SubscribeAsync("window/marker", QoS1);
        await publisher.PublishAsync(Mqtt.Message("window/marker", "marker", QoS1).Build());

        var first = await received.NextAsync("new clean session's first message");
        Assert.Equal("window/marker", first.Topic);
    }

    /// <summary>
    /// Connects <paramref name="client"/> with the client id of the clean session on the test listener, and publishes
    /// <paramref name="topic"/> while the new connection waits for that one to let go of its routes (its half-close
    /// is held, and its routes go after it): the new connection is attached, and the routes are the old session's.
    /// </summary>
    private static async Task TakeOverWhileAttachingAsync(IMqttClient client, MqttClientOptions options, HeldClose held, IMqttClient publisher, string topic)
    {
        var connecting = client.ConnectAsync(options);
        await held.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine($"DEBUG entered at {DateTime.UtcNow:HH:mm:ss.fff}");
        await publisher.PublishAsync(Mqtt.Message(topic, "routed in the window", QoS1).Build());
        held.Release();
        await connecting.WaitAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine($"DEBUG entered={held.Entered.IsCompleted} connected at {DateTime.UtcNow:HH:mm:ss.fff}");
    }

    private MqttClientOptions Resume(string clientId, string userName) =>
        Mqtt.Options(broker, clientId).WithCleanStart(false).WithSessionExpiryInterval(300).WithCredentials(userName, "pw").Build();

    /// <summary>A half-close that waits until released (the connection gives up on it after 2 s).</summary>
    private sealed class HeldClose : IDisposable
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public ValueTask CloseOutputAsync()
        {
            _entered.TrySetResult();
            return new ValueTask(_release.Task);
        }

        public void Release() => _release.TrySetResult();

        public void Dispose() => Release();
    }
}
