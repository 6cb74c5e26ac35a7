using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>The read loop and the write loop of a <see cref="LoadClient"/>.</summary>
public sealed partial class LoadClient
{
    private async Task ReadLoopAsync()
    {
        var limits = new DecoderLimits(Version, 0);
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                var now = Stopwatch.GetTimestamp();
                var wake = false;
                while (MqttPacketReader.TryRead(ref buffer, limits, out var packet))
                {
                    wake |= Handle(packet, now);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (wake)
                {
                    _wake.Set();
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    Fail("the broker closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or MqttProtocolException)
        {
            Fail($"read failed: {e.Message}");
        }
    }

    /// <summary>Handles one packet from the broker; true when the write loop has something new to do.</summary>
    private bool Handle(MqttPacket packet, long now)
    {
        switch (packet)
        {
            case PublishPacket publish:
                _handler?.OnPublish(this, publish, now);
                if (publish.QoS == QoS.AtMostOnce)
                {
                    return false;
                }

                _outbox.Enqueue(OutItem.Ack(
                    publish.QoS == QoS.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec, publish.PacketId));
                return true;
            case PubAckPacket ack:
                Volatile.Read(ref _publisher)?.OnCompleted(ack.PacketId, ack.ReasonCode);
                return true;
            case PubRecPacket received:
                if ((byte)received.ReasonCode >= 0x80)
                {
                    // 4.3.3: a failed PUBREC ends the exchange; no PUBREL follows.
                    Volatile.Read(ref _publisher)?.OnCompleted(received.PacketId, received.ReasonCode);
                    return true;
                }

                _outbox.Enqueue(OutItem.Ack(MqttPacketType.PubRel, received.PacketId));
                return true;
            case PubRelPacket release:
                _outbox.Enqueue(OutItem.Ack(MqttPacketType.PubComp, release.PacketId));
                return true;
            case PubCompPacket complete:
                Volatile.Read(ref _publisher)?.OnCompleted(complete.PacketId, complete.ReasonCode);
                return true;
            case SubAckPacket subAck:
                if (_subAcks.TryRemove(subAck.PacketId, out var reply))
                {
                    reply.TrySetResult(subAck);
                }

                return false;
            case ConnAckPacket connAck:
                _connAck.TrySetResult(connAck);
                return false;
            case DisconnectPacket disconnect:
                Fail($"the broker sent DISCONNECT 0x{(byte)disconnect.ReasonCode:X2}");
                return false;
            default:
                return false;
        }
    }

    private async Task WriteLoopAsync()
    {
        var flushes = 0;
        try
        {
            while (true)
            {
                var wrote = false;
                var disconnect = false;
                while (_outbox.TryDequeue(out var item))
                {
                    Write(item);
                    wrote = true;
                    disconnect |= item.Packet is DisconnectPacket;
                }

                if (!disconnect && Volatile.Read(ref _publisher) is { } publisher && publisher.Produce(_output, Version) > 0)
                {
                    wrote = true;
                }

                if (wrote)
                {
                    var flush = await _output.FlushAsync(_stop.Token);
                    if (disconnect || flush.IsCompleted || flush.IsCanceled)
                    {
                        return;
                    }

                    if (++flushes % 16 == 0)
                    {
                        // Flushes into a socket with room complete synchronously: let the read loops have the thread.
                        await Task.Yield();
                    }

                    continue;
                }

                await _wake.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Fail($"write failed: {e.Message}");
        }
    }

    private void Write(in OutItem item)
    {
        if (item.Packet is { } packet)
        {
            MqttPacketWriter.Write(_output, packet, Version);
            return;
        }

        // PUBACK, PUBREC, PUBREL, PUBCOMP with success: fixed header + packet id (3.4.2.1: MQTT 5 may leave out
        // the reason code when it is 0x00 and there are no properties).
        var span = _output.GetSpan(4);
        span[0] = (byte)(((int)item.AckType << 4) | (item.AckType == MqttPacketType.PubRel ? 0x02 : 0));
        span[1] = 2;
        span[2] = (byte)(item.AckId >> 8);
        span[3] = (byte)item.AckId;
        _output.Advance(4);
    }
}
