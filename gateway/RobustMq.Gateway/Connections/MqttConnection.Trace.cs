using System.Buffers;
using System.Runtime.CompilerServices;
using RobustMq.Gateway.Ops;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Trace and slow subscriptions at the connection (<see cref="TraceService"/>, <see cref="SlowSubscriptions"/>). With
/// no trace running, a packet costs one volatile read (<see cref="TraceService.Current"/> is null); with traces
/// running, a connection decides once per trace set and client id which client id and address traces follow it
/// (<see cref="ConnectionTraces"/>), and topic traces are matched per PUBLISH, SUBSCRIBE and UNSUBSCRIBE. Only a
/// connection a trace follows formats lines (on its own thread) and hands them to the node's writer.
/// </summary>
public sealed partial class MqttConnection
{
    // What this connection matched of the trace set in force (written by either loop: both compute the same from the same inputs).
    private ConnectionTraces? _traces;

    /// <summary>Traces a packet read from the client (a PUBLISH decoded in place goes through <see cref="TraceInPublish"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TraceIn(MqttPacket packet)
    {
        if (_services.Trace.Current is { } set)
        {
            TracePacket(set, packet, inbound: true, topic: null);
        }
    }

    /// <summary>Traces a packet written to the client.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TraceOut(MqttPacket packet, string? topic = null)
    {
        if (_services.Trace.Current is { } set)
        {
            TracePacket(set, packet, inbound: false, topic);
        }
    }

    /// <summary>Traces a PUBLISH from the client, its topic resolved (a topic alias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TraceInPublish(in PublishFrame frame, string topic)
    {
        if (_services.Trace.Current is { } set)
        {
            TraceFrame(set, frame, topic);
        }
    }

    /// <summary>A QoS 0 delivery was written: measured for slow subscriptions (QoS 1/2 are measured at their acknowledgement).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DeliveredQoS0(RobustMq.Abstractions.Sessions.PendingMessage delivery)
    {
        if (delivery.QoS == 0 && _services.SlowSubs.Enabled && !delivery.RetainFlag)
        {
            _services.SlowSubs.Acknowledged(ClientId, delivery.Message.Topic, delivery.Message.ArrivedAtUnixMs);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceFrame(TraceSet set, in PublishFrame frame, string topic)
    {
        var matched = Matched(set, ClientId);
        var byTopic = AnyTopicTrace(set, null, topic);
        if (matched.Length == 0 && !byTopic)
        {
            return;
        }

        var line = TraceFormat.Publish(_services.Clock.GetUtcNow(), ClientId, RemoteEndPoint, true, topic, frame.QoS, frame.Retain, frame.Dup, frame.PacketId,
            frame.Properties, frame.Payload, _services.Trace.Options.PayloadPreviewBytes);
        Write(set, matched, byTopic, line, null, topic);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TracePacket(TraceSet set, MqttPacket packet, bool inbound, string? topic)
    {
        // The CONNECT names the client before the connection knows it.
        var clientId = packet is ConnectPacket { ClientId.Length: > 0 } connect ? connect.ClientId : ClientId;
        var matched = Matched(set, clientId);
        topic ??= (packet as PublishPacket)?.Topic;
        var byTopic = AnyTopicTrace(set, packet, topic);
        if (matched.Length == 0 && !byTopic)
        {
            return;
        }

        clientId ??= _traces?.ClientId;
        var line = packet is PublishPacket p && topic is not null
            ? TraceFormat.Publish(_services.Clock.GetUtcNow(), clientId, RemoteEndPoint, inbound, topic, p.QoS, p.Retain, p.Dup, p.PacketId, p.Properties,
                new ReadOnlySequence<byte>(p.Payload), _services.Trace.Options.PayloadPreviewBytes)
            : TraceFormat.Line(_services.Clock.GetUtcNow(), clientId, RemoteEndPoint, inbound, packet, _services.Trace.Options.PayloadPreviewBytes);
        Write(set, matched, byTopic, line, packet, topic);
    }

    private void Write(TraceSet set, ActiveTrace[] matched, bool byTopic, string line, MqttPacket? packet, string? topic)
    {
        foreach (var trace in matched)
        {
            _services.Trace.Enqueue(trace, line);
        }

        if (byTopic)
        {
            foreach (var trace in set.ByTopic)
            {
                if (TopicTrace(trace, packet, topic))
                {
                    _services.Trace.Enqueue(trace, line);
                }
            }
        }
    }

    /// <summary>Whether some topic trace covers the packet (a PUBLISH by its topic, a SUBSCRIBE or UNSUBSCRIBE by a filter).</summary>
    private static bool AnyTopicTrace(TraceSet set, MqttPacket? packet, string? topic)
    {
        foreach (var trace in set.ByTopic)
        {
            if (TopicTrace(trace, packet, topic))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TopicTrace(ActiveTrace trace, MqttPacket? packet, string? topic)
    {
        if (topic is not null)
        {
            return TraceSet.Covers(trace, topic);
        }

        switch (packet)
        {
            case SubscribePacket subscribe:
                foreach (var s in subscribe.Subscriptions)
                {
                    if (TraceSet.Covers(trace, s.Filter))
                    {
                        return true;
                    }
                }

                return false;
            case UnsubscribePacket unsubscribe:
                foreach (var filter in unsubscribe.Filters)
                {
                    if (TraceSet.Covers(trace, filter))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private ActiveTrace[] Matched(TraceSet set, string? clientId)
    {
        var cached = _traces;
        // A connection refused at CONNECT never gets its ClientId: its CONNACK goes to the traces its CONNECT matched.
        clientId ??= cached?.ClientId;
        if (cached is null || cached.Set != set || !ReferenceEquals(cached.ClientId, clientId))
        {
            _traces = cached = new ConnectionTraces(set, clientId, set.Match(clientId, RemoteEndPoint));
        }

        return cached.Matched;
    }
}
