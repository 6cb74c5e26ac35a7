using System.Globalization;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// Options of one load scenario, parsed from <c>--name value</c> or <c>--name=value</c>. Every size and time is
/// capped so that no scenario can run unbounded.
/// </summary>
public sealed class LoadOptions
{
    public const double MaxDurationSeconds = 300;

    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; } = 1883;

    /// <summary>
    /// <c>--subscriber-port</c>: where the flow scenarios' subscribers connect (default <see cref="Port"/>); another silo's
    /// port measures delivery across silos.
    /// </summary>
    public int SubscriberPort => _subscriberPort ?? Port;

    private int? _subscriberPort;
    /// <summary>Measured time in seconds (after <see cref="WarmupSeconds"/>).</summary>
    public double DurationSeconds { get; private set; } = 10;
    public double WarmupSeconds { get; private set; } = 2;
    public QoS QoS { get; private set; }
    /// <summary>Payload bytes per message; at least <see cref="MessageStamp.Size"/> (the stamp lives in it).</summary>
    public int PayloadSize { get; private set; } = 64;
    /// <summary>connect: connections to open; latency: unused.</summary>
    public int Clients { get; private set; } = 1000;
    /// <summary>connect: handshakes in flight at once.</summary>
    public int HandshakesInFlight { get; private set; } = 100;
    public int Publishers { get; private set; } = 4;
    /// <summary>Subscriber connections (fanin, fanout, topics) or members of the shared group (shared).</summary>
    public int Subscribers { get; private set; } = 1;
    public MqttProtocolVersion Version { get; private set; } = MqttProtocolVersion.V311;
    /// <summary>Unacknowledged QoS 1/2 messages a publisher keeps outstanding.</summary>
    public int Window { get; private set; } = 64;
    /// <summary>topics: distinct topics, each with exactly one subscriber.</summary>
    public int Topics { get; private set; } = 100_000;
    /// <summary>fanin: one shared topic, or one topic per publisher (every subscriber subscribes to all).</summary>
    public bool TopicPerPublisher { get; private set; }
    /// <summary>
    /// connect: clients connected and disconnected, twice, before anything is measured (a broker on a JIT runtime
    /// compiles its connect path on the first ones; the flow scenarios warm up with <c>--warmup</c> seconds).
    /// </summary>
    public int WarmupClients { get; private set; }
    /// <summary>
    /// connect, and the subscribers of the flow scenarios: a session that outlives its connection (Session Expiry
    /// Interval on MQTT 5, clean session 0 on 3.1.1) instead of a clean one, to measure what a held session costs (on
    /// our broker a persistent subscriber's QoS 1/2 messages are stored before their publishers are acknowledged);
    /// 0 (default) for clean sessions.
    /// </summary>
    public uint SessionExpiry { get; private set; }
    /// <summary>connect: seconds to hold the connections idle before reading the broker's RSS.</summary>
    public double HoldSeconds { get; private set; } = 5;
    /// <summary>latency: stop after this many round trips even if the duration has not passed.</summary>
    public int Count { get; private set; } = 1_000_000;
    /// <summary>
    /// latency: pings per second, each sent on a fixed schedule (a tick whose previous ping is still unanswered is
    /// skipped, so no two are ever in flight); 0 (default): the next ping goes as soon as the pong arrives.
    /// </summary>
    public int Rate { get; private set; }
    public int? BrokerPid { get; private set; }
    /// <summary>latency: new connections a second from this address during the run, each closed after its CONNACK (<see cref="Hammer"/>).</summary>
    public int HammerConnects { get; private set; }
    /// <summary>latency: payload bytes of a QoS 0 PUBLISH one extra client sends in a loop during the run (<see cref="Hammer"/>).</summary>
    public int HammerPayload { get; private set; }
    /// <summary>
    /// Throughput scenarios: deliveries the publishers may run ahead of the subscribers (0 = open loop, no limit);
    /// null picks max(2,000, 20 × copies per message).
    /// </summary>
    public long? MaxAhead { get; private set; }
    /// <summary>The final timeout of the whole scenario, set-up and drain included.</summary>
    public double TimeoutSeconds { get; private set; }

    /// <summary>Parses <paramref name="args"/>; returns null and writes the reason to stderr when they are bad.</summary>
    public static LoadOptions? Parse(ReadOnlySpan<string> args)
    {
        var options = new LoadOptions();
        double? timeout = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unexpected argument '{arg}'");
            }

            string name;
            string? value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg[2..];
                value = i + 1 < args.Length ? args[++i] : null;
            }

            if (value is null)
            {
                return Fail($"--{name} needs a value");
            }

            try
            {
                switch (name)
                {
                    case "host": options.Host = value; break;
                    case "port": options.Port = Int(value, 1, 65535); break;
                    case "subscriber-port": options._subscriberPort = Int(value, 1, 65535); break;
                    case "duration": options.DurationSeconds = Seconds(value, 0.1, MaxDurationSeconds); break;
                    case "warmup": options.WarmupSeconds = Seconds(value, 0, 60); break;
                    case "qos": options.QoS = (QoS)Int(value, 0, 2); break;
                    case "payload": options.PayloadSize = Int(value, MessageStamp.Size, 1 << 20); break;
                    case "clients": options.Clients = Int(value, 1, 100_000); break;
                    case "inflight": options.HandshakesInFlight = Int(value, 1, 10_000); break;
                    case "publishers": options.Publishers = Int(value, 1, 1000); break;
                    case "subscribers": options.Subscribers = Int(value, 1, 10_000); break;
                    case "version": options.Version = (MqttProtocolVersion)Int(value, 4, 5); break;
                    case "window": options.Window = Int(value, 1, 65_000); break;
                    case "topics": options.Topics = Int(value, 1, 1_000_000); break;
                    case "topic-per-publisher": options.TopicPerPublisher = Int(value, 0, 1) == 1; break;
                    case "session-expiry": options.SessionExpiry = (uint)Int(value, 0, int.MaxValue); break;
                    case "hold": options.HoldSeconds = Seconds(value, 0, 120); break;
                    case "warmup-clients": options.WarmupClients = Int(value, 0, 100_000); break;
                    case "count": options.Count = Int(value, 1, 10_000_000); break;
                    case "rate": options.Rate = Int(value, 0, 100_000); break;
                    case "broker-pid": options.BrokerPid = Int(value, 1, int.MaxValue); break;
                    case "hammer-connects": options.HammerConnects = Int(value, 0, 100_000); break;
                    case "hammer-payload": options.HammerPayload = Int(value, 0, 256 << 20); break;
                    case "max-ahead": options.MaxAhead = Int(value, 0, int.MaxValue); break;
                    case "timeout": timeout = Seconds(value, 1, 3600); break;
                    default: return Fail($"unknown option --{name}");
                }
            }
            catch (FormatException e)
            {
                return Fail($"--{name}: {e.Message}");
            }
        }

        // Set-up (100k subscriptions, 10k handshakes) and drain get a generous but finite allowance.
        options.TimeoutSeconds = timeout ?? options.WarmupSeconds + options.DurationSeconds + options.HoldSeconds + 180;
        return options;
    }

    private static LoadOptions? Fail(string message)
    {
        Console.Error.WriteLine($"load: {message}");
        return null;
    }

    private static int Int(string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new FormatException($"expected an integer in {min}..{max}, got '{value}'");
        }

        return n;
    }

    private static double Seconds(string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s < min || s > max)
        {
            throw new FormatException($"expected seconds in {min}..{max}, got '{value}'");
        }

        return s;
    }
}
