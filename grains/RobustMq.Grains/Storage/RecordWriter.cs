using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The field encodings of stored records (<see cref="MessageRecord"/>, <see cref="PendingRecord"/>): lengths as
/// unsigned LEB128, integers little-endian, strings as their UTF-8 length and bytes. <see cref="RecordReader"/> reads them.
/// </summary>
internal static class RecordWriter
{
    public static void Byte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void UInt16(IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void UInt32(IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void Int64(IBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public static void Guid(IBufferWriter<byte> writer, Guid value)
    {
        value.TryWriteBytes(writer.GetSpan(16));
        writer.Advance(16);
    }

    public static void Length(IBufferWriter<byte> writer, int length)
    {
        var span = writer.GetSpan(5);
        var n = 0;
        var value = (uint)length;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        writer.Advance(n);
    }

    public static void String(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        Length(writer, length);
        var written = Encoding.UTF8.GetBytes(text, writer.GetSpan(length));
        writer.Advance(written);
    }

    public static void Bytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        Length(writer, bytes.Length);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }
}
