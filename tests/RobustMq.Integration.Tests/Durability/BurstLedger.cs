using System.Collections.Concurrent;
using System.Globalization;
using MQTTnet;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// The write burst of <see cref="RocksDbBurstCrashTests"/>: which worker publishes what, in which order, and what was
/// attempted and acknowledged (PUBACK success). Session messages (<c>burst/s/{session}</c>, payload
/// <c>{session}:{sequence}</c>, the sequence unique in the burst) and retained writes (<c>burst/r/{topic}</c>, payload
/// <c>{topic}:{round}</c>, rounds 1, 2, 3...) are interleaved evenly, round by round. Each session and each retained
/// topic belongs to one worker, which publishes one message at a time: its writes are ordered, and every slot of the
/// arrays here has a single writer.
/// </summary>
internal sealed class BurstLedger
{
    private readonly int _retainedTopics;
    private readonly int _killAfter;
    private readonly TaskCompletionSource _killPoint = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acknowledged;
    private int _retainedTopicsAcknowledged;
    private int _failedAfterKill;
    private volatile bool _killed;

    public BurstLedger(int sessions, int messagesPerSession, int retainedTopics, int retainedRounds, int workers)
    {
        _retainedTopics = retainedTopics;
        SessionAttempted = new HashSet<int>[sessions];
        SessionAcknowledged = new HashSet<int>[sessions];
        for (var i = 0; i < sessions; i++)
        {
            SessionAttempted[i] = [];
            SessionAcknowledged[i] = [];
        }

        RetainedAttempted = new int[retainedTopics];
        RetainedAcknowledged = new int[retainedTopics];
        var plan = new List<Write>[workers];
        for (var w = 0; w < workers; w++)
        {
            plan[w] = [];
        }

        long sessionTotal = sessions * messagesPerSession;
        long retainedTotal = retainedTopics * retainedRounds;
        long s = 0;
        long t = 0;
        while (s < sessionTotal || t < retainedTotal)
        {
            // An even mix: the next write is a session message while they are behind in proportion.
            if (s < sessionTotal && (t == retainedTotal || s * retainedTotal <= t * sessionTotal))
            {
                var session = (int)(s % sessions);
                plan[session % workers].Add(new Write(false, session, (int)s));
                s++;
            }
            else
            {
                var topic = (int)(t % retainedTopics);
                plan[topic % workers].Add(new Write(true, topic, (int)(t / retainedTopics) + 1));
                t++;
            }
        }

        Planned = (int)(sessionTotal + retainedTotal);
        _killAfter = Planned / 2;
        Plan = plan;
    }

    /// <summary>What each worker publishes, in order.</summary>
    public IReadOnlyList<Write>[] Plan { get; }

    public int Planned { get; }

    /// <summary>Sequences published (PUBLISH sent, acknowledged or not) to each session's topic.</summary>
    public HashSet<int>[] SessionAttempted { get; }

    /// <summary>Sequences acknowledged for each session's topic.</summary>
    public HashSet<int>[] SessionAcknowledged { get; }

    /// <summary>The last round published to each retained topic (0: none).</summary>
    public int[] RetainedAttempted { get; }

    /// <summary>The last round acknowledged for each retained topic (0: none).</summary>
    public int[] RetainedAcknowledged { get; }

    /// <summary>Rejected publishes, and publishes that failed before the kill: each one is a failure of the test.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Publishes cut off by the kill (sent, never acknowledged).</summary>
    public int FailedAfterKill => Volatile.Read(ref _failedAfterKill);

    /// <summary>
    /// Completes once half the burst is acknowledged and every retained topic has an acknowledged write: round 1 is
    /// through everywhere, and round 2 is under way (about half its writes acknowledged with the default sizes).
    /// </summary>
    public Task KillPoint => _killPoint.Task;

    /// <summary>Set just before the broker is killed: from then on a failed publish is expected.</summary>
    public void MarkKilled() => _killed = true;

    /// <summary>Publishes <paramref name="worker"/>'s writes one at a time until they are done or one fails (the broker was killed).</summary>
    public async Task RunWorkerAsync(int worker, IMqttClient client)
    {
        // No stop on the kill flag: the kill itself cuts the workers off, with their publishes in flight.
        foreach (var write in Plan[worker])
        {
            if (write.Retained)
            {
                RetainedAttempted[write.Index] = write.Value;
            }
            else
            {
                SessionAttempted[write.Index].Add(write.Value);
            }

            MqttClientPublishResult result;
            try
            {
                result = await client.PublishAsync(write.ToMessage());
            }
            catch (Exception ex)
            {
                // The worker's boundary: the kill ends every worker this way; a failure before it is a finding.
                if (_killed)
                {
                    Interlocked.Increment(ref _failedAfterKill);
                }
                else
                {
                    Problems.Enqueue($"{write} failed before the kill: {ex.GetType().Name}: {ex.Message}");
                }

                return;
            }

            if (!result.IsSuccess)
            {
                Problems.Enqueue($"{write} was rejected: {result.ReasonCode} {result.ReasonString}");
                return;
            }

            Acknowledge(write);
        }
    }

    private void Acknowledge(Write write)
    {
        if (write.Retained)
        {
            if (RetainedAcknowledged[write.Index] == 0)
            {
                Interlocked.Increment(ref _retainedTopicsAcknowledged);
            }

            RetainedAcknowledged[write.Index] = write.Value;
        }
        else
        {
            SessionAcknowledged[write.Index].Add(write.Value);
        }

        if (Interlocked.Increment(ref _acknowledged) >= _killAfter && Volatile.Read(ref _retainedTopicsAcknowledged) == _retainedTopics)
        {
            _killPoint.TrySetResult();
        }
    }

    /// <summary>One QoS 1 publish of the burst: a message to session <see cref="Index"/>, or round <see cref="Value"/> of retained topic <see cref="Index"/>.</summary>
    public readonly record struct Write(bool Retained, int Index, int Value)
    {
        public string Topic => (Retained ? "burst/r/" : "burst/s/") + Index.ToString(CultureInfo.InvariantCulture);

        public string Payload => string.Create(CultureInfo.InvariantCulture, $"{Index}:{Value}");

        public MqttApplicationMessage ToMessage() => new MqttApplicationMessageBuilder()
            .WithTopic(Topic)
            .WithPayload(Payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(Retained)
            .Build();

        public override string ToString() => $"{Topic} '{Payload}'";
    }
}
