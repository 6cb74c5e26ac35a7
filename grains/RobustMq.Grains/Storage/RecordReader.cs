using System.Buffers.Binary;
using System.Text;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>Reads the fields of a stored record in order (<see cref="RecordWriter"/> wrote them); a read past the end is a <see cref="FormatException"/>.</summary>
internal struct RecordReader(ReadOnlyMemory<byte> record)
{
    /// <summary>Reads one value of a record at the reader's position.</summary>
    public delegate T Read<T>(ref RecordReader reader);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private int _position;

    /// <summary>
    /// The value <paramref name="read"/> reads from the whole of <paramref name="record"/> (bytes left over are damage).
    /// </summary>
    /// <exception cref="StorageException">Kind Corrupt, naming <paramref name="what"/>: not a record this version can read.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> record, string what, Read<T> read)
    {
        try
        {
            var reader = new RecordReader(record);
            var value = read(ref reader);
            if (!reader.AtEnd)
            {
                throw new FormatException("trailing bytes");
            }

            return value;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or DecoderFallbackException or OverflowException)
        {
            throw new StorageException(StorageErrorKind.Corrupt, $"a stored {what} record cannot be read: {ex.Message}", ex);
        }
    }

    public readonly bool AtEnd => _position == record.Length;

    public byte Byte() => Take(1).Span[0];

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8).Span);

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2).Span);

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);

    public int Length()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Byte();
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value <= int.MaxValue ? (int)value : throw new FormatException("a length beyond 2 GiB");
            }
        }

        throw new FormatException("a length of more than 5 bytes");
    }

    public string String() => StrictUtf8.GetString(Take(Length()).Span);

    public ReadOnlyMemory<byte> Bytes() => Take(Length());

    public Guid Guid() => new(Take(16).Span);

    private ReadOnlyMemory<byte> Take(int count)
    {
        if (count < 0 || count > record.Length - _position)
        {
            throw new FormatException($"the record ends at byte {record.Length}, a field needs {count} bytes from byte {_position}");
        }

        var slice = record.Slice(_position, count);
        _position += count;
        return slice;
    }
}
