using MQTTnet;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>Captures the first <see cref="IMqttClient.DisconnectedAsync"/> of a client.</summary>
public sealed class DisconnectWatcher
{
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DisconnectWatcher(IMqttClient client)
    {
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public bool HasFired => _disconnected.Task.IsCompleted;

    public Task<MqttClientDisconnectedEventArgs> WaitAsync(string phase, TimeSpan? timeout = null) =>
        _disconnected.Task.WithTimeout($"{phase}: expected the client to be disconnected", timeout);
}
