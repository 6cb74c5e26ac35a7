using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Storage.Segment;

/// <summary>
/// The framing of the Segment log (docs/storage.md, "Segment"). A record (one <see cref="IStorageEngine.WriteAsync"/>
/// batch, or one checkpoint) is <c>[u32 payload length][u32 CRC-32C of the payload][payload]</c>, the payload
/// <c>[i64 sequence][i32 op count][ops]</c>, all little-endian. An op is its kind byte then:
/// Append <c>shard, i64 offset, i64 timestamp, value</c>; Commit <c>shard, consumer, i64 offset</c>;
/// TrimBefore <c>shard, i64 offset</c>; DeleteShard <c>shard</c>; Put <c>space, key, value</c>; Delete
/// <c>space, key</c>; ShardState <c>shard, i64 low, i64 next, i32 n, n × (consumer, i64 offset)</c>.
/// Strings are <c>[u16 byte length][UTF-8]</c>, values <c>[i32 length][bytes]</c>.
/// </summary>
internal static class SegmentRecordFormat
{
    /// <summary>Bytes before the payload: length and CRC.</summary>
    public const int HeaderBytes = 8;

    /// <summary>The smallest payload: sequence and op count.</summary>
    public const int MinPayloadBytes = 12;

    /// <summary>The largest payload accepted when reading (a larger length field is damage).</summary>
    public const int MaxPayloadBytes = int.MaxValue - 64;

    /// <summary>The op kind of a checkpoint's shard state (low, next and committed offsets of a shard).</summary>
    public const byte ShardStateKind = 100;

    /// <summary>
    /// Appends the record of <paramref name="ops"/> with <paramref name="sequence"/> to <paramref name="buffer"/> and
    /// sets each op's <see cref="LogOp.ValuePosition"/> (bytes from the record's start). Returns the record's length.
    /// </summary>
    public static int Encode(FrameBuffer buffer, long sequence, List<LogOp> ops)
    {
        var start = buffer.Length;
        buffer.Reserve(HeaderBytes);
        buffer.WriteInt64(sequence);
        buffer.WriteInt32(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            buffer.WriteByte(op.Kind);
            buffer.WriteString(op.Target);
            switch (op.Kind)
            {
                case (byte)StorageOperationKind.Append:
                    buffer.WriteInt64(op.Number);
                    buffer.WriteInt64(op.Number2);
                    ops[i] = op with { ValuePosition = buffer.WriteBytes(op.Value.Span) - start, ValueLength = op.Value.Length };
                    break;
                case (byte)StorageOperationKind.Commit:
                    buffer.WriteString(op.Key!);
                    buffer.WriteInt64(op.Number);
                    break;
                case (byte)StorageOperationKind.TrimBefore:
                    buffer.WriteInt64(op.Number);
                    break;
                case (byte)StorageOperationKind.DeleteShard:
                    break;
                case (byte)StorageOperationKind.Put:
                    buffer.WriteString(op.Key!);
                    ops[i] = op with { ValuePosition = buffer.WriteBytes(op.Value.Span) - start, ValueLength = op.Value.Length };
                    break;
                case (byte)StorageOperationKind.Delete:
                    buffer.WriteString(op.Key!);
                    break;
                case ShardStateKind:
                    buffer.WriteInt64(op.Number);
                    buffer.WriteInt64(op.Number2);
                    var commits = op.Commits ?? [];
                    buffer.WriteInt32(commits.Length);
                    foreach (var (consumer, offset) in commits)
                    {
                        buffer.WriteString(consumer);
                        buffer.WriteInt64(offset);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(ops), op.Kind, "unknown log op kind");
            }
        }

        var length = buffer.Length - start;
        var payloadLength = length - HeaderBytes;
        var header = buffer.Slice(start, HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header, payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32C.Compute(buffer.Slice(start + HeaderBytes, payloadLength)));
        return length;
    }

    /// <summary>
    /// Reads a record header: false when the length is impossible (below <see cref="MinPayloadBytes"/> or above
    /// <see cref="MaxPayloadBytes"/>).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int payloadLength, out uint crc)
    {
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return payloadLength is >= MinPayloadBytes and <= MaxPayloadBytes;
    }

    /// <summary>
    /// Decodes a payload whose CRC matched into its sequence and <paramref name="ops"/> (value positions from the
    /// record's start, values not copied). False when the payload does not parse (then it is damage, like a bad CRC).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out long sequence, List<LogOp> ops)
    {
        ops.Clear();
        var reader = new Reader(payload);
        sequence = reader.Int64();
        var count = reader.Int32();
        if (!reader.Ok || count < 0)
        {
            return false;
        }

        for (var i = 0; i < count && reader.Ok; i++)
        {
            var kind = reader.Byte();
            var target = reader.String();
            switch (kind)
            {
                case (byte)StorageOperationKind.Append:
                    var offset = reader.Int64();
                    var timestamp = reader.Int64();
                    var (appendAt, appendLength) = reader.Bytes();
                    ops.Add(new LogOp(kind, target, null, offset, timestamp, default, HeaderBytes + appendAt, appendLength, null));
                    break;
                case (byte)StorageOperationKind.Commit:
                    var consumer = reader.String();
                    ops.Add(new LogOp(kind, target, consumer, reader.Int64(), 0, default, 0, 0, null));
                    break;
                case (byte)StorageOperationKind.TrimBefore:
                    ops.Add(new LogOp(kind, target, null, reader.Int64(), 0, default, 0, 0, null));
                    break;
                case (byte)StorageOperationKind.DeleteShard:
                    ops.Add(new LogOp(kind, target, null, 0, 0, default, 0, 0, null));
                    break;
                case (byte)StorageOperationKind.Put:
                    var key = reader.String();
                    var (putAt, putLength) = reader.Bytes();
                    ops.Add(new LogOp(kind, target, key, 0, 0, default, HeaderBytes + putAt, putLength, null));
                    break;
                case (byte)StorageOperationKind.Delete:
                    ops.Add(new LogOp(kind, target, reader.String(), 0, 0, default, 0, 0, null));
                    break;
                case ShardStateKind:
                    var low = reader.Int64();
                    var next = reader.Int64();
                    var n = reader.Int32();
                    if (!reader.Ok || n < 0 || n > payload.Length)
                    {
                        return false;
                    }

                    var commits = new KeyValuePair<string, long>[n];
                    for (var c = 0; c < n; c++)
                    {
                        var name = reader.String();
                        commits[c] = new KeyValuePair<string, long>(name, reader.Int64());
                    }

                    ops.Add(new LogOp(kind, target, null, low, next, default, 0, 0, commits));
                    break;
                default:
                    return false;
            }
        }

        return reader.Ok && reader.AtEnd && ops.Count == count;
    }

    /// <summary>Reads little-endian fields; a read past the end clears <see cref="Ok"/> and returns defaults.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public bool Ok { get; private set; } = true;

        public readonly bool AtEnd => _position == _bytes.Length;

        public byte Byte() => Take(1) is { IsEmpty: false } s ? s[0] : (byte)0;

        public int Int32() => Take(4) is { IsEmpty: false } s ? BinaryPrimitives.ReadInt32LittleEndian(s) : 0;

        public long Int64() => Take(8) is { IsEmpty: false } s ? BinaryPrimitives.ReadInt64LittleEndian(s) : 0;

        public string String()
        {
            var lengthBytes = Take(2);
            if (lengthBytes.IsEmpty)
            {
                return string.Empty;
            }

            var text = Take(BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes));
            return Ok ? Encoding.UTF8.GetString(text) : string.Empty;
        }

        public (int Position, int Length) Bytes()
        {
            var length = Int32();
            if (length < 0)
            {
                Ok = false;
                return default;
            }

            var at = _position;
            Take(length);
            return (at, length);
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (!Ok || count > _bytes.Length - _position)
            {
                Ok = false;
                return default;
            }

            var span = _bytes.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
