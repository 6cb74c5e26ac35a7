using System.Threading.Channels;
using MQTTnet;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// Collects what one or more clients receive (attach it before connecting to see messages sent right after
/// CONNACK); waits for messages with a timeout whose message says what was expected.
/// </summary>
public sealed class MessageCollector
{
    private readonly Channel<Receipt> _messages = Channel.CreateUnbounded<Receipt>();

    public MessageCollector(params IMqttClient[] clients)
    {
        foreach (var client in clients)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                _messages.Writer.TryWrite(new Receipt(e.ClientId, e.ApplicationMessage));
                return Task.CompletedTask;
            };
        }
    }

    public async Task<MqttApplicationMessage> NextAsync(string phase, TimeSpan? timeout = null) =>
        (await NextReceiptAsync(phase, timeout)).Message;

    public async Task<Receipt> NextReceiptAsync(string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: expected a message, got none within {limit.TotalSeconds} s");
        }
    }

    /// <summary>Messages up to and including the first on <paramref name="topic"/>.</summary>
    public async Task<List<MqttApplicationMessage>> UntilTopicAsync(string topic, string phase, TimeSpan? timeout = null)
    {
        var seen = new List<MqttApplicationMessage>();
        while (true)
        {
            var message = await NextAsync($"{phase} (waiting for '{topic}', saw [{string.Join(", ", seen.Select(m => m.Topic))}])", timeout);
            seen.Add(message);
            if (message.Topic == topic)
            {
                return seen;
            }
        }
    }

    /// <summary>Null if no message arrives within <paramref name="window"/>; otherwise the message that did.</summary>
    public async Task<MqttApplicationMessage?> NoneWithinAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            return (await _messages.Reader.ReadAsync(cts.Token)).Message;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
