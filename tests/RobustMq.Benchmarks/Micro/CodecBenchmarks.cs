using System.Buffers;
using BenchmarkDotNet.Attributes;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Benchmarks.Micro;

/// <summary>
/// MQTT codec: <see cref="MqttPacketReader.TryRead"/> over a single-segment sequence and
/// <see cref="MqttPacketWriter.Write"/> into a reused buffer. <c>Decode</c> builds the packet object (for a
/// PUBLISH: topic string and payload copy); <c>DecodeFrame</c> is what the broker's read loop does
/// (<see cref="MqttPacketReader.TryReadFrame"/>: a PUBLISH header decoded in place, no allocation; other
/// packets as in <c>Decode</c>).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    public enum PacketCase
    {
        Connect311,
        Connect5,
        Publish311QoS0,
        Publish311QoS1,
        Publish5QoS0,
        Publish5QoS1,
        Subscribe5,
    }

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private MqttPacket _packet = null!;
    private MqttProtocolVersion _version;
    private DecoderLimits _limits;
    private ReadOnlySequence<byte> _wire;

    [Params(
        PacketCase.Connect311,
        PacketCase.Connect5,
        PacketCase.Publish311QoS0,
        PacketCase.Publish311QoS1,
        PacketCase.Publish5QoS0,
        PacketCase.Publish5QoS1,
        PacketCase.Subscribe5)]
    public PacketCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[64];
        new Random(42).NextBytes(payload);
        (_packet, _version) = Case switch
        {
            PacketCase.Connect311 => ((MqttPacket)Connect(MqttProtocolVersion.V311, null), MqttProtocolVersion.V311),
            PacketCase.Connect5 => (Connect(MqttProtocolVersion.V500, ConnectProperties()), MqttProtocolVersion.V500),
            PacketCase.Publish311QoS0 => (Publish(QoS.AtMostOnce, payload, null), MqttProtocolVersion.V311),
            PacketCase.Publish311QoS1 => (Publish(QoS.AtLeastOnce, payload, null), MqttProtocolVersion.V311),
            PacketCase.Publish5QoS0 => (Publish(QoS.AtMostOnce, payload, PublishProperties()), MqttProtocolVersion.V500),
            PacketCase.Publish5QoS1 => (Publish(QoS.AtLeastOnce, payload, PublishProperties()), MqttProtocolVersion.V500),
            PacketCase.Subscribe5 => (Subscribe(), MqttProtocolVersion.V500),
            _ => throw new InvalidOperationException($"unknown case {Case}"),
        };

        // The decoder only accepts CONNECT before the version is known, as on a new connection.
        _limits = new DecoderLimits(_packet is ConnectPacket ? MqttProtocolVersion.Unknown : _version, 0);

        var writer = new ArrayBufferWriter<byte>();
        MqttPacketWriter.Write(writer, _packet, _version);
        _wire = new ReadOnlySequence<byte>(writer.WrittenSpan.ToArray());

        var check = _wire;
        if (!MqttPacketReader.TryRead(ref check, _limits, out var decoded) || !check.IsEmpty || decoded.Type != _packet.Type)
        {
            throw new InvalidOperationException($"{Case} does not round-trip");
        }

        Console.WriteLine($"// {Case}: {_wire.Length} bytes on the wire");
    }

    [Benchmark]
    public MqttPacket Decode()
    {
        var buffer = _wire;
        MqttPacketReader.TryRead(ref buffer, _limits, out var packet);
        return packet!;
    }

    [Benchmark]
    public int DecodeFrame()
    {
        var buffer = _wire;
        MqttPacketReader.TryReadFrame(ref buffer, _limits, out var packet, out var publish);
        return packet is null ? publish.PacketId + (int)publish.Payload.Length : (int)packet.Type;
    }

    [Benchmark]
    public int Encode()
    {
        _output.ResetWrittenCount();
        MqttPacketWriter.Write(_output, _packet, _version);
        return _output.WrittenCount;
    }

    private static ConnectPacket Connect(MqttProtocolVersion version, MqttProperties? properties) => new()
    {
        ProtocolVersion = version,
        CleanStart = true,
        KeepAlive = 60,
        ClientId = "device-000123",
        UserName = "site-7",
        Password = "s3cret-token"u8.ToArray(),
        Properties = properties,
    };

    private static MqttProperties ConnectProperties() => new()
    {
        SessionExpiryInterval = 3600,
        ReceiveMaximum = 100,
        TopicAliasMaximum = 16,
        MaximumPacketSize = 1024 * 1024,
        UserProperties = [new UserProperty("firmware", "2.4.1")],
    };

    private static PublishPacket Publish(QoS qos, byte[] payload, MqttProperties? properties) => new()
    {
        QoS = qos,
        Topic = "site/7/device/1234/telemetry",
        PacketId = qos == QoS.AtMostOnce ? (ushort)0 : (ushort)42,
        Payload = payload,
        Properties = properties,
    };

    private static MqttProperties PublishProperties() => new()
    {
        MessageExpiryInterval = 300,
        ContentType = "application/octet-stream",
        UserProperties = [new UserProperty("trace-id", "4bf92f3577b34da6")],
    };

    private static SubscribePacket Subscribe() => new()
    {
        PacketId = 7,
        Subscriptions =
        [
            new TopicSubscription("site/7/device/+/telemetry", QoS.AtLeastOnce),
            new TopicSubscription("site/7/device/1234/#", QoS.AtMostOnce, NoLocal: true),
            new TopicSubscription("site/+/alarms", QoS.AtLeastOnce, RetainHandling: RetainHandling.DoNotSend),
        ],
        Properties = new MqttProperties { SubscriptionIdentifiers = [17] },
    };
}
