using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Protocol.Codec;

/// <summary>
/// Reads the fields of one packet body (everything after the fixed header) from a single span.
/// Every read is bounds-checked: running past the remaining length is a malformed packet.
/// </summary>
internal ref struct MqttBodyReader
{
    // MQTT-1.5.4-1: ill-formed UTF-8 (including encoded surrogates) is malformed; the strict decoder throws on it.

    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public MqttBodyReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Consumed => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool End => _position == _span.Length;

    public byte ReadByte()
    {
        if (_position >= _span.Length)
        {
            throw ProtocolErrors.Truncated();
        }

        return _span[_position++];
    }

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4));

    /// <summary>A Variable Byte Integer (1.5.5): at most 4 bytes, in as few bytes as its value needs.</summary>
    public int ReadVariableByteInteger()
    {
        var value = 0;
        for (var shift = 0; shift < 28; shift += 7)
        {
            var b = ReadByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                // MQTT-1.5.5-1: the minimum number of bytes; a last byte of 0 after a continuation byte is not.
                if (b == 0 && shift > 0)
                {
                    throw ProtocolErrors.Malformed("variable byte integer is not in its shortest form");
                }

                return value;
            }
        }

        throw ProtocolErrors.Malformed("variable byte integer longer than 4 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if ((uint)count > (uint)Remaining)
        {
            throw ProtocolErrors.Truncated();
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Binary Data (1.5.6): two-byte length, then the bytes.</summary>
    public ReadOnlySpan<byte> ReadBinary() => ReadBytes(ReadUInt16());

    /// <summary>UTF-8 Encoded String (1.5.4), decoded once into a <see cref="string"/>.</summary>
    public string ReadString() => DecodeUtf8(ReadBinary());

    /// <summary>Everything left in the body.</summary>
    public ReadOnlySpan<byte> ReadToEnd()
    {
        var rest = _span[_position..];
        _position = _span.Length;
        return rest;
    }

    /// <summary>A reader over the next <paramref name="length"/> bytes; this reader moves past them.</summary>
    public MqttBodyReader ReadNested(int length) => new(ReadBytes(length));

    /// <summary>Fails when bytes are left over where the spec fixes the size.</summary>
    public readonly void EnsureEnd(string packetName)
    {
        if (!End)
        {
            throw ProtocolErrors.Malformed($"{packetName} has {Remaining} unexpected trailing bytes");
        }
    }

    public static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        ValidateUtf8(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Checks a UTF-8 Encoded String (1.5.4) without decoding it.</summary>
    public static void ValidateUtf8(ReadOnlySpan<byte> bytes)
    {
        // MQTT-1.5.4-2: a string must not contain U+0000.
        if (bytes.Contains((byte)0))
        {
            throw ProtocolErrors.Malformed("string contains U+0000");
        }

        // MQTT-1.5.4-1: well-formed UTF-8 only (no surrogates, no overlong forms).
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw ProtocolErrors.Malformed("string is not well-formed UTF-8");
        }
    }
}
