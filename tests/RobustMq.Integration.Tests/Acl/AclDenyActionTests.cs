using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Acl;

/// <summary>A broker with <c>Acl:DenyAction=disconnect</c> and a file that denies publishing to <c>forbidden/#</c>.</summary>
public sealed class DenyActionBrokerFixture : BrokerFixture
{
    private readonly string _acl = Path.Combine(Path.GetTempPath(), $"robustmq-deny-action-{Guid.NewGuid():N}.acl");

    public DenyActionBrokerFixture() => File.WriteAllText(_acl, "deny publish forbidden/#\nallow all #\n");

    protected override IEnumerable<string> ExtraArguments => [$"--Acl:File={_acl}", "--Acl:DenyAction=disconnect"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_acl);
    }
}

/// <summary>Issue 13: a refused PUBLISH can end the connection (EMQX's deny_action, RMQTT's disconnect_if_pub_rejected).</summary>
public sealed class AclDenyActionTests(DenyActionBrokerFixture broker) : IClassFixture<DenyActionBrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_refused_publish_ends_the_connection_and_an_allowed_one_does_not(MqttProtocolVersion version)
    {
        using var client = Mqtt.NewClient();
        var closed = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Mqtt.Options(broker, $"deny-action-{version}", version).Build());
        await client.PublishAsync(Mqtt.Message("allowed/x", "ok", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(client.IsConnected);

        try
        {
            await client.PublishAsync(Mqtt.Message("forbidden/x", "no", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            // The PUBACK never comes: the connection ends instead.
        }

        var disconnected = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (version == MqttProtocolVersion.V500)
        {
            Assert.Equal(MqttClientDisconnectReason.NotAuthorized, disconnected.Reason);
        }
    }
}
