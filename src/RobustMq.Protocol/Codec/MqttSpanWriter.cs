using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Protocol.Codec;

/// <summary>Writes MQTT data types into a span sized beforehand from the measured remaining length.</summary>
internal ref struct MqttSpanWriter
{
    /// <summary>The largest value a Variable Byte Integer can hold (1.5.5).</summary>
    public const int MaximumVariableByteInteger = 268_435_455;

    private readonly Span<byte> _span;
    private int _position;

    public MqttSpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Written => _position;

    public static int SizeOfVariableByteInteger(int value) => value switch
    {
        < 0 or > MaximumVariableByteInteger => throw new ArgumentOutOfRangeException(
            nameof(value), value, "a variable byte integer holds 0 to 268,435,455"),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    /// <summary>A UTF-8 Encoded String: two-byte length plus the encoded bytes (at most 65,535).</summary>
    public static int SizeOfString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        return 2 + EnsureFieldLength(length);
    }

    /// <summary>Binary Data: two-byte length plus the bytes (at most 65,535).</summary>
    public static int SizeOfBinary(int length) => 2 + EnsureFieldLength(length);

    public void WriteByte(byte value) => _span[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_span[_position..], value);
        _position += 4;
    }

    public void WriteVariableByteInteger(int value)
    {
        var remaining = (uint)value;
        do
        {
            var b = (byte)(remaining & 0x7F);
            remaining >>= 7;
            if (remaining != 0)
            {
                b |= 0x80;
            }

            _span[_position++] = b;
        }
        while (remaining != 0);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetBytes(value, _span[(_position + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], (ushort)length);
        _position += 2 + length;
    }

    private static int EnsureFieldLength(int length)
    {
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"a string or binary field holds at most 65,535 bytes (got {length})");
        }

        return length;
    }
}
