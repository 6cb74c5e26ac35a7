using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// Issue 10's crash test for RocksDB: <c>kill -9</c> of the broker executable in the middle of a QoS 1 write burst to
/// 1,000 offline persistent sessions and 10,000 retained topics, then a restart on the same <c>Storage:Path</c>. The
/// broker starts; every session is present and receives each acknowledged message exactly once (and nothing that was
/// never published); each retained topic holds its last acknowledged value, or a later one that was published but whose
/// PUBACK the kill cut off. Only acknowledged publishes are owed: one in flight at the kill may or may not be there.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class RocksDbBurstCrashTests(ITestOutputHelper output)
{
    private const int Sessions = 1_000;
    private const int MessagesPerSession = 10;
    private const int RetainedTopics = 10_000;
    private const int RetainedRounds = 3;
    private const int Publishers = 4;
    private const int WorkersPerPublisher = 8;
    private const int ConnectConcurrency = 50;
    private const uint SessionExpirySeconds = 3600;
    private const int MaxExamples = 10;

    /// <summary>Once what is owed has arrived, this long without a message ends a collection (a duplicate would come in it).</summary>
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait for the next owed message before the check reports what is missing.</summary>
    private static readonly TimeSpan NextMessageTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Kill_during_a_burst_to_offline_sessions_and_retained_topics_keeps_each_acknowledged_write_exactly_once()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-burst-").FullName;
        var ledger = new BurstLedger(Sessions, MessagesPerSession, RetainedTopics, RetainedRounds, Publishers * WorkersPerPublisher);
        var clock = Stopwatch.StartNew();
        try
        {
            await using (var first = await StartAsync(data, "first broker start-up"))
            {
                Phase(clock, "first broker started");
                await Parallel.ForEachAsync(Enumerable.Range(0, Sessions), new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (i, _) =>
                    await CreateOfflineSessionAsync(first, i));
                Phase(clock, $"{Sessions} offline sessions created");
                await BurstAndKillAsync(first, ledger, clock);
            }

            await using var second = await StartAsync(data, "restart on the killed broker's Storage:Path");
            Phase(clock, "second broker started");
            var problems = new List<string>();
            await CheckSessionsAsync(second, ledger, problems);
            Phase(clock, "sessions checked");
            await CheckRetainedAsync(second, ledger, problems);
            Phase(clock, "retained topics checked");
            var errors = LogEntries(second.Log, "fail:", "crit:");
            if (errors.Count > 0)
            {
                problems.Add($"the restarted broker logged {errors.Count} error(s): {string.Join(" | ", errors.Take(MaxExamples))}");
            }

            Assert.True(problems.Count == 0, $"after kill -9 and restart:\n{string.Join('\n', problems)}\nrestarted broker's warnings and errors:\n{WarningsOf(second.Log)}");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<BrokerExecutable> StartAsync(string data, string phase)
    {
        // Raised queue limit: the reader of 10,000 retained messages gets them all at once after its SUBACK.
        var broker = BrokerExecutable.Start(
            [$"--Storage:Path={data}", "--Storage:Default=RocksDb", "--Sys:IntervalSeconds=0", $"--Mqtt:MaxQueuedMessages={2 * RetainedTopics}"]);
        await broker.WaitStartedAsync(phase);
        return broker;
    }

    private static string SessionClientId(int session) => string.Create(CultureInfo.InvariantCulture, $"burst-session-{session}");

    private static MqttClientOptions SessionOptions(BrokerExecutable broker, int session) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", broker.MqttPort)
        .WithClientId(SessionClientId(session))
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithCleanStart(false)
        .WithSessionExpiryInterval(SessionExpirySeconds)
        .WithTimeout(TimeSpan.FromSeconds(10))
        .Build();

    private static async Task CreateOfflineSessionAsync(BrokerExecutable broker, int session)
    {
        using var client = Mqtt.NewClient();
        var connAck = await client.ConnectAsync(SessionOptions(broker, session));
        Assert.False(connAck.IsSessionPresent, $"{SessionClientId(session)}: a session present on a new Storage:Path");
        var topic = string.Create(CultureInfo.InvariantCulture, $"burst/s/{session}");
        var subAck = await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.True(subAck.Items.Single().ResultCode == MqttClientSubscribeResultCode.GrantedQoS1, $"{SessionClientId(session)}: SUBACK {subAck.Items.Single().ResultCode}");
        await client.DisconnectAsync();
    }

    /// <summary>The burst from several publishers, and <c>kill -9</c> at its kill point (<see cref="BurstLedger.KillPoint"/>), publishes in flight.</summary>
    private async Task BurstAndKillAsync(BrokerExecutable broker, BurstLedger ledger, Stopwatch clock)
    {
        var publishers = new List<IMqttClient>();
        try
        {
            for (var p = 0; p < Publishers; p++)
            {
                publishers.Add(await Mqtt.ConnectAsync(broker, string.Create(CultureInfo.InvariantCulture, $"burst-publisher-{p}")));
            }

            var workers = Enumerable.Range(0, Publishers * WorkersPerPublisher).Select(w => ledger.RunWorkerAsync(w, publishers[w % Publishers])).ToArray();
            var allWorkers = Task.WhenAll(workers);
            await Task.WhenAny(ledger.KillPoint, allWorkers).WithTimeout("the burst until half of it and a write to every retained topic are acknowledged", TimeSpan.FromSeconds(90));
            Assert.True(ledger.KillPoint.IsCompleted, $"the burst ended before its kill point ({ledger.Acknowledged} of {ledger.Planned} acknowledged): {string.Join(" | ", ledger.Problems.Take(MaxExamples))}");

            ledger.MarkKilled();
            var acknowledgedAtKill = ledger.Acknowledged;
            broker.Kill();
            Phase(clock, $"killed with {acknowledgedAtKill} of {ledger.Planned} publishes acknowledged");
            await allWorkers.WithTimeout("the publishers notice the kill", TimeSpan.FromSeconds(30));

            Assert.True(ledger.Problems.IsEmpty, $"publishes failed or were rejected before the kill: {ledger.Problems.Count}, e.g. {string.Join(" | ", ledger.Problems.Take(MaxExamples))}\n{WarningsOf(broker.Log)}");
            Assert.True(ledger.Acknowledged < ledger.Planned && ledger.FailedAfterKill > 0, $"the kill did not land mid-burst: {ledger.Acknowledged} of {ledger.Planned} acknowledged, {ledger.FailedAfterKill} cut off");
            output.WriteLine($"burst: {ledger.Acknowledged} of {ledger.Planned} acknowledged, {ledger.FailedAfterKill} in flight at the kill");
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                publisher.Dispose();
            }
        }
    }

    /// <summary>Every session resumes (session present) and receives its acknowledged messages, each once.</summary>
    private async Task CheckSessionsAsync(BrokerExecutable broker, BurstLedger ledger, List<string> problems)
    {
        var clients = Enumerable.Range(0, Sessions).Select(_ => Mqtt.NewClient()).ToArray();
        try
        {
            var collector = new MessageCollector(clients);
            var absent = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Sessions), new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (i, _) =>
            {
                var connAck = await clients[i].ConnectAsync(SessionOptions(broker, i));
                if (!connAck.IsSessionPresent)
                {
                    absent.Add(SessionClientId(i));
                }
            });

            if (!absent.IsEmpty)
            {
                problems.Add($"{absent.Count} of {Sessions} sessions not present after the restart, e.g. {string.Join(", ", absent.Take(MaxExamples))}");
            }

            var owed = ledger.SessionAcknowledged.Sum(s => s.Count);
            var received = new Dictionary<(int Session, int Sequence), int>();
            var strays = new List<string>();
            var outstanding = owed;
            while (outstanding > 0 && await NextOrNullAsync(collector) is { } message)
            {
                if (Count(message, received, strays) is { } key && received[key] == 1 && ledger.SessionAcknowledged[key.Session].Contains(key.Sequence))
                {
                    outstanding--;
                }
            }

            while (await collector.NoneWithinAsync(QuietWindow) is { } late)
            {
                Count(late, received, strays);
            }

            var missing = new List<string>();
            for (var i = 0; i < Sessions; i++)
            {
                missing.AddRange(ledger.SessionAcknowledged[i].Where(s => !received.ContainsKey((i, s))).Select(s => $"{SessionClientId(i)} #{s}"));
            }

            var duplicates = received.Where(r => r.Value > 1).Select(r => $"{SessionClientId(r.Key.Session)} #{r.Key.Sequence} x{r.Value}").ToList();
            var neverPublished = received.Keys.Where(k => !ledger.SessionAttempted[k.Session].Contains(k.Sequence)).Select(k => $"{SessionClientId(k.Session)} #{k.Sequence}").ToList();
            var unacknowledged = received.Keys.Count(k => ledger.SessionAttempted[k.Session].Contains(k.Sequence) && !ledger.SessionAcknowledged[k.Session].Contains(k.Sequence));
            Report(problems, $"acknowledged session messages lost (of {owed})", missing);
            Report(problems, "session messages delivered more than once", duplicates);
            Report(problems, "session messages never published", [.. neverPublished, .. strays]);
            output.WriteLine($"sessions: {owed} acknowledged messages owed, {received.Count} distinct received, {unacknowledged} of them unacknowledged ones that were stored");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>A new subscriber to <c>burst/r/#</c> gets each retained topic once, at its last acknowledged round or later.</summary>
    private async Task CheckRetainedAsync(BrokerExecutable broker, BurstLedger ledger, List<string> problems)
    {
        using var reader = Mqtt.NewClient();
        var collector = new MessageCollector(reader);
        await reader.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.MqttPort).WithClientId("burst-retained-reader").WithTimeout(TimeSpan.FromSeconds(10)).Build());
        await reader.SubscribeAsync("burst/r/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var owed = ledger.RetainedAcknowledged.Count(r => r > 0);
        var received = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var outstanding = owed;
        while (outstanding > 0 && await NextOrNullAsync(collector) is { } message)
        {
            var values = ValuesOf(received, message.Topic);
            values.Add(Encoding.UTF8.GetString(message.Payload));
            if (values.Count == 1 && TopicIndex(message.Topic, "burst/r/") is { } j && j < RetainedTopics && ledger.RetainedAcknowledged[j] > 0)
            {
                outstanding--;
            }
        }

        while (await collector.NoneWithinAsync(QuietWindow) is { } late)
        {
            ValuesOf(received, late.Topic).Add(Encoding.UTF8.GetString(late.Payload));
        }

        var missing = new List<string>();
        var stale = new List<string>();
        var later = 0;
        for (var j = 0; j < RetainedTopics; j++)
        {
            var topic = string.Create(CultureInfo.InvariantCulture, $"burst/r/{j}");
            var acknowledged = ledger.RetainedAcknowledged[j];
            if (!received.TryGetValue(topic, out var values))
            {
                if (acknowledged > 0)
                {
                    missing.Add($"{topic} (last acknowledged round {acknowledged})");
                }

                continue;
            }

            var round = values.Count == 1 && values[0].StartsWith(string.Create(CultureInfo.InvariantCulture, $"{j}:"), StringComparison.Ordinal)
                && int.TryParse(values[0].AsSpan(values[0].IndexOf(':', StringComparison.Ordinal) + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : -1;
            if (round < acknowledged || round > ledger.RetainedAttempted[j])
            {
                stale.Add($"{topic}: received [{string.Join(", ", values)}], last acknowledged round {acknowledged}, last published {ledger.RetainedAttempted[j]}");
            }
            else if (round > acknowledged)
            {
                later++;
            }
        }

        var unknown = received.Keys.Where(t => TopicIndex(t, "burst/r/") is not { } j || j >= RetainedTopics).ToList();
        Report(problems, $"retained topics with an acknowledged write missing (of {owed})", missing);
        Report(problems, "retained topics not at their last acknowledged value, or delivered more than once, or never published", stale);
        Report(problems, "retained topics never published", unknown);
        output.WriteLine($"retained: {owed} topics with an acknowledged write, {received.Count} received, {later} at a later round whose PUBACK the kill cut off");
    }

    private static async Task<MqttApplicationMessage?> NextOrNullAsync(MessageCollector collector)
    {
        try
        {
            return await collector.NextAsync("the next owed message", NextMessageTimeout);
        }
        catch (TimeoutException)
        {
            // What did not come is reported by the check, with names and counts.
            return null;
        }
    }

    /// <summary>Counts one session message; its key, or null (noted in <paramref name="strays"/>) when its topic or payload is not one of the burst's.</summary>
    private static (int Session, int Sequence)? Count(MqttApplicationMessage message, Dictionary<(int Session, int Sequence), int> received, List<string> strays)
    {
        var payload = Encoding.UTF8.GetString(message.Payload);
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (TopicIndex(message.Topic, "burst/s/") is not { } session || session >= Sessions || colon < 0
            || !int.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != session
            || !int.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            strays.Add($"{message.Topic} '{payload}'");
            return null;
        }

        var key = (session, sequence);
        received[key] = received.GetValueOrDefault(key) + 1;
        return key;
    }

    private static int? TopicIndex(string topic, string prefix) =>
        topic.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(topic.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    private static List<string> ValuesOf(Dictionary<string, List<string>> received, string topic)
    {
        if (!received.TryGetValue(topic, out var values))
        {
            values = [];
            received[topic] = values;
        }

        return values;
    }

    private static void Report(List<string> problems, string what, List<string> found)
    {
        if (found.Count > 0)
        {
            problems.Add($"{found.Count} {what}, e.g. {string.Join("; ", found.Take(MaxExamples))}");
        }
    }

    private static string WarningsOf(string log) => string.Join('\n', LogEntries(log, "warn:", "fail:", "crit:").Take(50));

    /// <summary>The console logger's entries at the given levels: the "warn: Category[id]" line and its indented lines.</summary>
    private static List<string> LogEntries(string log, params string[] levels)
    {
        var entries = new List<string>();
        StringBuilder? entry = null;
        foreach (var line in log.Split('\n'))
        {
            if (entry is not null && line.StartsWith(' '))
            {
                entry.Append(' ').Append(line.Trim());
                continue;
            }

            if (entry is not null)
            {
                entries.Add(entry.ToString());
                entry = null;
            }

            if (Array.Exists(levels, level => line.StartsWith(level, StringComparison.Ordinal)))
            {
                entry = new StringBuilder(line);
            }
        }

        if (entry is not null)
        {
            entries.Add(entry.ToString());
        }

        return entries;
    }

    private void Phase(Stopwatch clock, string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");
}
