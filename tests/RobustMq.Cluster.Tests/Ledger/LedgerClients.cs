using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// A persistent subscriber (MQTT 5, session expiry 1 h) that records every message in the ledger and, when its
/// connection drops without its asking, reconnects to the next live silo without a clean start, recording how long
/// that took and whether its session was there. <see cref="TakeOverAsync"/> connects a second client with its client
/// id on another silo while the first is still connected, as a device that moved would.
/// </summary>
public sealed class LedgerSubscriber(string clientId, string topic, MqttQualityOfServiceLevel qos, DeliveryLedger ledger, Func<int, BrokerExecutable?> silo)
{
    private static readonly MqttClientFactory Factory = new();
    private IMqttClient _client = Factory.CreateMqttClient();
    private readonly List<IMqttClient> _replaced = [];
    private TaskCompletionSource<MqttClientDisconnectReason> _replacedReason = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _silo;
    private volatile bool _closing;
    private volatile bool _paused;
    private bool _stopped;

    public string ClientId => clientId;

    public async Task StartAsync(int firstSilo)
    {
        _silo = firstSilo;
        Wire(_client);
        await _client.ConnectAsync(Options(silo(_silo)!, cleanStart: true));
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithQualityOfServiceLevel(qos)).Build());
        ledger.Subscribed(topic, clientId);
    }

    /// <summary>
    /// A new connection on silo <paramref name="to"/> resumes the session (clean start 0) while the current one is still
    /// open; returns once the old connection was closed by the server, with its reason (0x8E expected, MQTT-3.1.4-3).
    /// The CONNECT to CONNACK time and session present go to the ledger.
    /// </summary>
    public async Task<MqttClientDisconnectReason> TakeOverAsync(int to)
    {
        var old = _client;
        _replacedReason = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = Factory.CreateMqttClient();
        Wire(next);
        var clock = Stopwatch.StartNew();
        var result = await next.ConnectAsync(Options(silo(to)!, cleanStart: false));
        ledger.Reconnected(clock.Elapsed, result.IsSessionPresent);
        lock (_replaced)
        {
            _replaced.Add(old);
        }

        _silo = to;
        _client = next;
        return await _replacedReason.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Disconnects normally, leaving the session (expiry 1 h): what is published meanwhile is queued for it.</summary>
    public async Task PauseAsync()
    {
        _paused = true;
        await _client.DisconnectAsync();
    }

    /// <summary>
    /// Connects again to its silo without a clean start, trying for up to 30 s (the broker may refuse while its storage
    /// is back but not yet reached); the CONNECT to CONNACK time and session present go to the ledger.
    /// </summary>
    public async Task ResumeAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var result = await _client.ConnectAsync(Options(silo(_silo)!, cleanStart: false));
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    _paused = false;
                    ledger.Reconnected(clock.Elapsed, result.IsSessionPresent);
                    return;
                }
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Refused or cut off: again.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clientId} could not connect again within 30 s");
            await Task.Delay(200);
        }
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _closing = true;
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        foreach (var replaced in _replaced)
        {
            replaced.Dispose();
        }
    }

    private void Wire(IMqttClient client)
    {
        client.ApplicationMessageReceivedAsync += e =>
        {
            var text = e.ApplicationMessage.ConvertPayloadToString();
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            ledger.Received(clientId, text[..colon], int.Parse(text.AsSpan(colon + 1), CultureInfo.InvariantCulture), e.ApplicationMessage.Dup, e.PacketIdentifier);
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            if (_closing || _paused || !e.ClientWasConnected)
            {
                return Task.CompletedTask;
            }

            if (!ReferenceEquals(client, _client) || e.Reason == MqttClientDisconnectReason.SessionTakenOver)
            {
                // A connection taken over by TakeOverAsync's (the server may close it before the CONNACK of the next).
                _replacedReason.TrySetResult(e.Reason);
                return Task.CompletedTask;
            }

            return ReconnectAsync();
        };
    }

    private async Task ReconnectAsync()
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; !_closing && clock.Elapsed < TimeSpan.FromSeconds(60); attempt++)
        {
            _silo++;
            if (silo(_silo) is not { } next)
            {
                continue;
            }

            try
            {
                var result = await _client.ConnectAsync(Options(next, cleanStart: false));
                if (result.ResultCode == MqttClientConnectResultCode.Success && _client.IsConnected)
                {
                    ledger.Reconnected(clock.Elapsed, result.IsSessionPresent);
                    return;
                }

                // Refused (0x88 server unavailable while the dead silo's grain directory entries move): again.
                await Task.Delay(100);
            }
            catch (Exception) when (!_closing)
            {
                // Not served yet (its silo not declared dead, a directory entry on it): another silo, after a pause.
                await Task.Delay(100);
            }
        }
    }

    private MqttClientOptions Options(BrokerExecutable broker, bool cleanStart) => Clients.PersistentOptions(broker, clientId, cleanStart);
}

/// <summary>A publisher that sends "name:seq" payloads, each sent again while refused, and records what was acknowledged.</summary>
public static class LedgerPublisher
{
    public static async Task RunAsync(IMqttClient client, string name, string[] topics, int count, MqttQualityOfServiceLevel qos, DeliveryLedger ledger, Func<int, Task> before)
    {
        for (var seq = 0; seq < count; seq++)
        {
            await before(seq);
            var topic = topics[seq % topics.Length];
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload($"{name}:{seq}").WithQualityOfServiceLevel(qos).Build();
            await Clients.PublishUntilAcknowledgedAsync(client, message, DateTime.UtcNow + TimeSpan.FromSeconds(60));
            ledger.Acknowledged(name, seq, topic);
        }
    }

    /// <summary>
    /// QoS 1 messages "name:seq" round the topics until <paramref name="stop"/>, then 20 more, from an MQTT 5 client
    /// that connects to <paramref name="silo"/>(<paramref name="first"/>) and, when its connection is refused or cut off
    /// (its silo shutting down or gone), to the next one; a message not acknowledged is sent again (QoS 1 allows the
    /// duplicates). Records what was acknowledged; returns how many messages were.
    /// </summary>
    public static async Task<int> RunUntilAsync(
        string name, int first, string[] topics, DeliveryLedger ledger, Func<int, BrokerExecutable?> silo, CancellationToken stop)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var next = first;
        var seq = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        for (var after = 0; after < 20; seq++)
        {
            after += stop.IsCancellationRequested ? 1 : 0;
            var topic = topics[seq % topics.Length];
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload($"{name}:{seq}")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{name}: message {seq} still not acknowledged");
                try
                {
                    if (!client.IsConnected && silo(next++) is { } target)
                    {
                        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", target.MqttPort)
                            .WithClientId("ledger-" + name).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                            .WithTimeout(TimeSpan.FromSeconds(5)).Build());
                    }

                    if (client.IsConnected && (await client.PublishAsync(message)).IsSuccess)
                    {
                        break;
                    }
                }
                catch (Exception) when (DateTime.UtcNow < deadline)
                {
                    // Its silo is shutting down (0x8B), just went, or refused the CONNECT: again, on the next one.
                }

                await Task.Delay(50);
            }

            ledger.Acknowledged(name, seq, topic);
        }

        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        return seq;
    }
}

/// <summary>The start and the end every ledger run shares.</summary>
public static class LedgerRun
{
    /// <summary>
    /// For <c>await using</c>: when the test leaves early (an assertion failed), its publishers are stopped and its
    /// subscribers disconnected, so they do not go on against the ports of the tests after it.
    /// </summary>
    public static IAsyncDisposable Guard(CancellationTokenSource stop, IEnumerable<LedgerSubscriber> subscribers) => new Guarded(stop, subscribers);

    /// <summary>Starts <paramref name="subscribers"/>, 50 at a time, subscriber i on silo <paramref name="firstSilo"/>(i).</summary>
    public static async Task StartAsync(IReadOnlyList<LedgerSubscriber> subscribers, Func<int, int> firstSilo)
    {
        foreach (var chunk in subscribers.Select((subscriber, i) => (subscriber, i)).Chunk(50))
        {
            await Task.WhenAll(chunk.Select(c => c.subscriber.StartAsync(firstSilo(c.i))));
        }
    }

    /// <summary>
    /// Ends a run: stops the publishers (they send 20 more each), waits up to 60 s until every acknowledged message
    /// reached every subscriber of its topic, writes how many were published and the summary's JSON line, and stops
    /// the subscribers.
    /// </summary>
    public static async Task<LedgerSummary> FinishAsync(
        DeliveryLedger ledger, CancellationTokenSource stop, IEnumerable<Task<int>> publishers, IEnumerable<LedgerSubscriber> subscribers,
        string scenario, Xunit.Abstractions.ITestOutputHelper output, bool exactlyOnce = false)
    {
        await stop.CancelAsync();
        var published = (await Task.WhenAll(publishers)).Sum();
        output.WriteLine($"{published} messages acknowledged");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ledger.Missing() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var summary = ledger.Summarize(scenario, exactlyOnce);
        output.WriteLine(summary.ToJson());
        foreach (var subscriber in subscribers)
        {
            await subscriber.StopAsync();
        }

        return summary;
    }

    private sealed class Guarded(CancellationTokenSource stop, IEnumerable<LedgerSubscriber> subscribers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            foreach (var subscriber in subscribers)
            {
                await subscriber.StopAsync();
            }
        }
    }
}
