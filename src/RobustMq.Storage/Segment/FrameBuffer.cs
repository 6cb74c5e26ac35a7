using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Storage.Segment;

/// <summary>
/// A growable byte buffer the writer encodes a group of log records into (little-endian integers, UTF-8 strings
/// with a 2-byte length). <see cref="Length"/> can be set back to drop a half-encoded record. One owner: the writer loop.
/// </summary>
internal sealed class FrameBuffer
{
    private byte[] _bytes = new byte[InitialBytes];

    private const int InitialBytes = 64 * 1024;

    /// <summary>The bytes written so far.</summary>
    public int Length { get; set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public Span<byte> Slice(int start, int length) => _bytes.AsSpan(start, length);

    /// <summary>Empties the buffer; gives back its memory when a large batch grew it past <paramref name="maxKeptBytes"/>.</summary>
    public void Reset(int maxKeptBytes)
    {
        Length = 0;
        if (_bytes.Length > maxKeptBytes)
        {
            _bytes = new byte[InitialBytes];
        }
    }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>Writes a UTF-8 string with its byte length as a 2-byte prefix (names and keys are at most 4096 bytes).</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), checked((ushort)count));
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>Writes <paramref name="value"/> with a 4-byte length prefix; returns where its bytes start.</summary>
    public int WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        var start = Length;
        value.CopyTo(Reserve(value.Length));
        return start;
    }

    /// <summary>Advances <see cref="Length"/> by <paramref name="count"/> and returns those bytes to fill.</summary>
    public Span<byte> Reserve(int count)
    {
        var needed = checked(Length + count);
        if (needed > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(needed, (int)Math.Min(Array.MaxLength, 2L * _bytes.Length)));
        }

        var span = _bytes.AsSpan(Length, count);
        Length = needed;
        return span;
    }
}
