namespace RobustMq.Storage.Segment;

/// <summary>Open: replay the log into the index, cutting it at the first record that is torn or damaged.</summary>
public sealed partial class SegmentStorageEngine
{
    /// <summary>
    /// Replays every segment in sequence order. A record is intact when its header is complete, its length fits in
    /// the file, its payload's CRC-32C matches, it parses and its sequence is above the previous record's. The first
    /// record that is not intact ends the log: its file is cut there (and fsynced), every later segment deleted, and
    /// the bytes removed counted in <see cref="RecoveryDroppedBytes"/>. Everything before it is kept. A damaged record
    /// in the middle therefore also drops the intact ones after it: the log stays a prefix of what was written, so
    /// no batch is ever seen without the batches before it.
    /// </summary>
    /// <exception cref="IOException">A file cannot be read, cut or created.</exception>
    private void Recover()
    {
        var names = new List<long>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SegmentFile.Extension))
        {
            if (SegmentFile.TryParseName(System.IO.Path.GetFileName(path), out var first))
            {
                names.Add(first);
            }
        }

        names.Sort();
        var lastSequence = -1L;
        var cut = false;
        var ops = new List<LogOp>();
        var payload = new byte[64 * 1024];
        var header = new byte[SegmentRecordFormat.HeaderBytes];
        foreach (var first in names)
        {
            var file = SegmentFile.Open(_directory, first, create: false);
            if (cut)
            {
                RecoveryDroppedBytes += file.Length;
                file.Dispose();
                File.Delete(file.FilePath);
                continue;
            }

            var position = 0L;
            var length = file.Length;
            while (length - position >= SegmentRecordFormat.HeaderBytes)
            {
                file.ReadExactly(position, header);
                if (!SegmentRecordFormat.TryReadHeader(header, out var payloadLength, out var crc)
                    || payloadLength > length - position - SegmentRecordFormat.HeaderBytes)
                {
                    break;
                }

                if (payload.Length < payloadLength)
                {
                    payload = new byte[Math.Max(payloadLength, 2 * payload.Length)];
                }

                var span = payload.AsSpan(0, payloadLength);
                file.ReadExactly(position + SegmentRecordFormat.HeaderBytes, span);
                if (Crc32C.Compute(span) != crc || !SegmentRecordFormat.TryDecode(span, out var sequence, ops) || sequence <= lastSequence)
                {
                    break;
                }

                foreach (var op in ops)
                {
                    _index.Apply(op, file, position);
                }

                lastSequence = sequence;
                position += SegmentRecordFormat.HeaderBytes + payloadLength;
            }

            if (position < length)
            {
                RecoveryDroppedBytes += length - position;
                RandomAccess.SetLength(file.Handle, position);
                RandomAccess.FlushToDisk(file.Handle);
                cut = true;
                _directoryDirty = true;
            }

            file.Length = position;
            if (position == 0 && _index.Files.Count > 0)
            {
                file.Dispose();
                File.Delete(file.FilePath);
                continue;
            }

            _index.Files.Add(file);
        }

        if (_index.Files.Count == 0)
        {
            _index.Files.Add(SegmentFile.Open(_directory, lastSequence + 1, create: true));
            _directoryDirty = true;
        }

        _active = _index.Files[^1];
        _nextSequence = Math.Max(lastSequence + 1, _active.FirstSequence);
    }
}
