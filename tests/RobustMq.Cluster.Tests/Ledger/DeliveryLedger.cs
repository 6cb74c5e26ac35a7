using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// What a fault test's clients did, and what it adds up to (issue 11): every publisher records (publisher, seq,
/// acknowledged?), every subscriber (client, publisher, seq, DUP). Only acknowledged messages count; the summary is one
/// JSON line.
/// </summary>
public sealed class DeliveryLedger
{
    private readonly ConcurrentDictionary<(string Publisher, int Seq), string> _acknowledged = new();
    private readonly ConcurrentDictionary<(string Client, string Publisher, int Seq), int> _received = new();
    private readonly ConcurrentDictionary<(string Client, string Publisher, int Seq), ushort> _firstPacketId = new();
    private long _resentSameId;
    private readonly ConcurrentDictionary<(string Client, string Publisher), int> _last = new();
    private readonly ConcurrentDictionary<string, List<string>> _subscribersOf = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _reconnectMs = [];
    private readonly ConcurrentBag<bool> _sessionPresent = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _outOfOrder;
    private long _dupFlagged;
    private long _servedAgainTicks;
    private long _faultTicks;

    /// <summary>The clients subscribed to <paramref name="topic"/> (each gets every message published there).</summary>
    public void Subscribed(string topic, string clientId) =>
        _subscribersOf.AddOrUpdate(topic, _ => [clientId], (_, list) =>
        {
            lock (list)
            {
                list.Add(clientId);
            }

            return list;
        });

    public void Acknowledged(string publisher, int seq, string topic) => _acknowledged[(publisher, seq)] = topic;

    /// <param name="packetId">The PUBLISH packet's identifier: a second copy flagged DUP under the first copy's identifier
    /// is the broker resending one whose PUBREC it had not stored (MQTT-4.3.3-9 has the client drop it; MQTTnet, which
    /// keeps no QoS 2 state across connections, hands it on), counted apart from true duplicates.</param>
    public void Received(string clientId, string publisher, int seq, bool dup, ushort packetId)
    {
        var key = (clientId, publisher, seq);
        var count = _received.AddOrUpdate(key, 1, (_, c) => c + 1);
        if (dup)
        {
            Interlocked.Increment(ref _dupFlagged);
        }

        if (count == 1)
        {
            _firstPacketId[key] = packetId;
        }
        else if (dup && _firstPacketId.TryGetValue(key, out var first) && first == packetId)
        {
            Interlocked.Increment(ref _resentSameId);
        }

        if (count == 1)
        {
            var last = _last.AddOrUpdate((clientId, publisher), seq, (_, previous) => Math.Max(previous, seq));
            if (last > seq)
            {
                // A first copy behind one already seen from the same publisher: out of order (MQTT 4.6 holds per session).
                Interlocked.Increment(ref _outOfOrder);
            }
        }
    }

    public void Reconnected(TimeSpan took, bool sessionPresent)
    {
        _reconnectMs.Add(took.TotalMilliseconds);
        _sessionPresent.Add(sessionPresent);
        Interlocked.Exchange(ref _servedAgainTicks, Math.Max(Interlocked.Read(ref _servedAgainTicks), _clock.Elapsed.Ticks));
    }

    public void FaultInjected() => Interlocked.Exchange(ref _faultTicks, _clock.Elapsed.Ticks);

    /// <summary>Deliveries owed: each acknowledged message once to each subscriber of its topic.</summary>
    public int Expected => _acknowledged.Sum(a => _subscribersOf.TryGetValue(a.Value, out var subscribers) ? subscribers.Count : 0);

    /// <summary>Acknowledged messages some subscriber has not received yet.</summary>
    public int Missing()
    {
        var missing = 0;
        foreach (var ((publisher, seq), topic) in _acknowledged)
        {
            foreach (var client in _subscribersOf.GetValueOrDefault(topic) ?? [])
            {
                if (!_received.ContainsKey((client, publisher, seq)))
                {
                    missing++;
                }
            }
        }

        return missing;
    }

    /// <summary>Up to <paramref name="max"/> owed deliveries not received, as "client publisher:seq topic (copies of it received elsewhere)".</summary>
    public List<string> MissingSample(int max)
    {
        var sample = new List<string>();
        foreach (var ((publisher, seq), topic) in _acknowledged)
        {
            foreach (var client in _subscribersOf.GetValueOrDefault(topic) ?? [])
            {
                if (sample.Count < max && !_received.ContainsKey((client, publisher, seq)))
                {
                    var elsewhere = _received.Keys.Count(k => k.Publisher == publisher && k.Seq == seq);
                    sample.Add($"{client} {publisher}:{seq} {topic} ({elsewhere} subscribers got it)");
                }
            }
        }

        return sample;
    }

    public LedgerSummary Summarize(string scenario, bool exactlyOnce)
    {
        var reconnects = _reconnectMs.Order().ToArray();
        var duplicates = _received.Values.Sum(c => c - 1);
        return new LedgerSummary(
            scenario,
            Accepted: _acknowledged.Count,
            ExpectedDeliveries: Expected,
            DeliveredUnique: _received.Count(r => _acknowledged.ContainsKey((r.Key.Publisher, r.Key.Seq))),
            Lost: Missing(),
            Qos2Duplicates: exactlyOnce ? duplicates - (int)Interlocked.Read(ref _resentSameId) : 0,
            ResentSameId: (int)Interlocked.Read(ref _resentSameId),
            Duplicates: duplicates,
            OutOfOrder: Interlocked.Read(ref _outOfOrder),
            ReconnectP50Ms: Percentile(reconnects, 0.50),
            ReconnectP99Ms: Percentile(reconnects, 0.99),
            Reconnects: reconnects.Length,
            SessionPresentRatio: _sessionPresent.IsEmpty ? 1.0 : _sessionPresent.Count(p => p) / (double)_sessionPresent.Count,
            ServedAgainSeconds: _faultTicks == 0 || _servedAgainTicks == 0 ? 0 : Math.Round(TimeSpan.FromTicks(_servedAgainTicks - _faultTicks).TotalSeconds, 2));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 1);
}

/// <summary>A fault test's result, printed as one JSON line (<see cref="ToJson"/>).</summary>
public sealed record LedgerSummary(
    string Scenario,
    int Accepted,
    int ExpectedDeliveries,
    int DeliveredUnique,
    int Lost,
    int Qos2Duplicates,
    int ResentSameId,
    int Duplicates,
    long OutOfOrder,
    double ReconnectP50Ms,
    double ReconnectP99Ms,
    int Reconnects,
    double SessionPresentRatio,
    double ServedAgainSeconds)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
