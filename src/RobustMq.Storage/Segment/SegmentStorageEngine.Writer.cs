namespace RobustMq.Storage.Segment;

/// <summary>The write path: queue, group commit, rollover and the rollback of a failed group.</summary>
public sealed partial class SegmentStorageEngine
{
    private const int MaxGroupWrites = 4096;
    private const long MaxGroupBytes = 16L * 1024 * 1024;

    private readonly FrameBuffer _buffer = new();
    private readonly List<WriteChunk> _chunks = [];
    private readonly List<PendingWrite> _group = [];
    private readonly Dictionary<string, long> _pendingNext = new(StringComparer.Ordinal);
    private bool _directoryDirty;

    /// <summary>
    /// Test hook: when set, the next group writes only this many bytes of its first chunk and then fails with
    /// ENOSPC ("No space left on device"), as a full disk does.
    /// </summary>
    internal int? FailNextWriteAfterBytes { get; set; }

    /// <summary>
    /// Queues <paramref name="batch"/> for the writer loop and completes once its record is written (and fsynced when
    /// Sync = Always). Cancellation is observed only before the batch is queued.
    /// </summary>
    /// <exception cref="StorageException">Full or Unavailable: not applied. Closed: the engine is disposed.</exception>
    public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = CheckSize(batch);
        if (batch.IsEmpty)
        {
            lock (_lock)
            {
                ThrowIfDisposed();
            }

            return ValueTask.FromResult(StorageWriteResult.NoAppends);
        }

        return new ValueTask<StorageWriteResult>(Enqueue(PendingWrite.ForBatch(batch, bytes)));
    }

    private Task<StorageWriteResult> Enqueue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new StorageException(StorageErrorKind.Closed, "the storage engine is disposed");
        }

        return write.Completion!.Task;
    }

    /// <summary>About how many bytes the batch's record takes.</summary>
    /// <exception cref="ArgumentException">An unknown operation, or a batch too large for one record.</exception>
    private static long CheckSize(StorageBatch batch)
    {
        long bytes = SegmentRecordFormat.MinPayloadBytes;
        foreach (var op in batch.Operations)
        {
            if (op.Kind is < StorageOperationKind.Append or > StorageOperationKind.Delete)
            {
                throw new ArgumentOutOfRangeException(nameof(batch), op.Kind, "unknown storage operation");
            }

            bytes += 64 + (4L * (op.Target.Length + (op.Key?.Length ?? 0))) + op.Value.Length;
        }

        if (bytes > SegmentRecordFormat.MaxPayloadBytes)
        {
            throw new ArgumentException($"a batch must stay below {SegmentRecordFormat.MaxPayloadBytes} bytes (about {bytes})", nameof(batch));
        }

        return bytes;
    }

    private async Task WriterLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _group.Clear();
            long groupBytes = 0;
            while (_group.Count < MaxGroupWrites && groupBytes < MaxGroupBytes && reader.TryRead(out var write))
            {
                _group.Add(write);
                groupBytes += write.Bytes;
            }

            try
            {
                WriteGroup(_group);
                CompactIfDead();
            }
            catch (Exception e)
            {
                // A broken invariant: fail the group rather than leave its writers waiting forever.
                var failure = new StorageException(StorageErrorKind.Unavailable, $"segment writer failed: {e.Message}", e);
                foreach (var write in _group)
                {
                    write.Completion?.TrySetException(failure);
                }
            }
        }
    }

    private async Task TickerLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.Sync.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                _queue.Writer.TryWrite(PendingWrite.Tick());
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>
    /// Encodes every write of <paramref name="group"/> as one record each into one buffer, writes it with one write per
    /// segment touched, fsyncs as the mode says, then applies the records to the index and completes the writes. A
    /// failure undoes the group (truncates what it wrote, deletes segments it created) and fails every write of it.
    /// </summary>
    private void WriteGroup(List<PendingWrite> group)
    {
        _buffer.Reset(maxKeptBytes: (int)MaxGroupBytes);
        _chunks.Clear();
        _pendingNext.Clear();
        var tick = false;
        var forceSync = false;
        var file = _active;
        var created = false;
        var chunkStart = 0;
        var chunkPosition = file.Length;
        var fileLength = file.Length;
        try
        {
            foreach (var write in group)
            {
                if (write.IsRecordless)
                {
                    tick |= write.IsTick;
                    continue;
                }

                write.Ops ??= ToLogOps(write);
                forceSync |= write.ForceSync;
                var sequence = _nextSequence++;
                var recordStart = _buffer.Length;
                var length = SegmentRecordFormat.Encode(_buffer, sequence, write.Ops);
                if (fileLength > 0 && fileLength + length > _options.SegmentBytes)
                {
                    AddChunk(file, created, chunkStart, recordStart, chunkPosition);
                    file = SegmentFile.Open(_directory, sequence, create: true);
                    created = true;
                    _directoryDirty = true;
                    _chunks.Add(new WriteChunk(file, true, 0, 0, 0));
                    chunkStart = recordStart;
                    chunkPosition = 0;
                    fileLength = 0;
                }

                write.File = file;
                write.Position = fileLength;
                fileLength += length;
            }

            AddChunk(file, created, chunkStart, _buffer.Length, chunkPosition);
            WriteChunks();
            if (_options.Sync.Mode == StorageSyncMode.Always || forceSync || (tick && _options.Sync.Mode == StorageSyncMode.Periodic))
            {
                FlushWritten();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or ArgumentException or OverflowException)
        {
            RollBack();
            var failure = Failure(e);
            foreach (var write in group)
            {
                if (write.IsRecordless)
                {
                    write.Completion?.TrySetResult(StorageWriteResult.NoAppends);
                }
                else
                {
                    write.Completion!.TrySetException(failure);
                }
            }

            return;
        }

        Apply(group);
    }

    /// <summary>The log ops of a caller's batch, with the offset of each append (taking earlier writes of the group into account).</summary>
    private List<LogOp> ToLogOps(PendingWrite write)
    {
        var batch = write.Batch!;
        var ops = new List<LogOp>(batch.Operations.Count);
        var offsets = batch.AppendCount == 0 ? [] : new long[batch.AppendCount];
        var appended = 0;
        foreach (var op in batch.Operations)
        {
            switch (op.Kind)
            {
                case StorageOperationKind.Append:
                    var offset = _pendingNext.TryGetValue(op.Target, out var pending) ? pending : _index.NextOf(op.Target);
                    _pendingNext[op.Target] = offset + 1;
                    offsets[appended++] = offset;
                    ops.Add(new LogOp((byte)op.Kind, op.Target, null, offset, op.Number, op.Value, 0, 0, null));
                    break;
                case StorageOperationKind.DeleteShard:
                    _pendingNext[op.Target] = 0;
                    ops.Add(new LogOp((byte)op.Kind, op.Target, null, 0, 0, default, 0, 0, null));
                    break;
                default:
                    ops.Add(new LogOp((byte)op.Kind, op.Target, op.Key, op.Number, 0, op.Value, 0, 0, null));
                    break;
            }
        }

        write.Offsets = offsets;
        return ops;
    }

    private void AddChunk(SegmentFile file, bool created, int bufferStart, int bufferEnd, long filePosition)
    {
        var index = _chunks.FindIndex(c => ReferenceEquals(c.File, file));
        var chunk = new WriteChunk(file, created, filePosition, bufferStart, bufferEnd);
        if (index >= 0)
        {
            _chunks[index] = chunk;
        }
        else
        {
            _chunks.Add(chunk);
        }
    }

    private void WriteChunks()
    {
        var buffer = _buffer.Written;
        foreach (var chunk in _chunks)
        {
            var bytes = buffer[chunk.BufferStart..chunk.BufferEnd];
            if (FailNextWriteAfterBytes is { } limit)
            {
                FailNextWriteAfterBytes = null;
                RandomAccess.Write(chunk.File.Handle, bytes.Span[..Math.Min(limit, bytes.Length)], chunk.FilePosition);
                throw new IOException("No space left on device (injected)", 28);
            }

            if (!bytes.IsEmpty)
            {
                RandomAccess.Write(chunk.File.Handle, bytes.Span, chunk.FilePosition);
                chunk.File.NeedsFlush = true;
            }
        }
    }

    /// <summary>fsyncs the segments of the index and those this group created.</summary>
    private void FlushWritten()
    {
        foreach (var chunk in _chunks)
        {
            if (chunk.Created)
            {
                FlushFiles([chunk.File]);
            }
        }

        FlushFiles(_index.Files);
    }

    /// <summary>fsyncs the files written since their last fsync, then the log directory when a segment was created or deleted since.</summary>
    private void FlushFiles(IEnumerable<SegmentFile> files)
    {
        foreach (var file in files)
        {
            if (file.NeedsFlush)
            {
                RandomAccess.FlushToDisk(file.Handle);
                file.NeedsFlush = false;
                Interlocked.Increment(ref _fsyncs);
            }
        }

        if (_directoryDirty)
        {
            DirectorySync.Flush(_directory);
            _directoryDirty = false;
            Interlocked.Increment(ref _fsyncs);
        }
    }

    /// <summary>Undoes a failed group: segments it created are deleted, the others cut back to where it started.</summary>
    private void RollBack()
    {
        foreach (var chunk in _chunks)
        {
            try
            {
                if (chunk.Created)
                {
                    chunk.File.Dispose();
                    File.Delete(chunk.File.FilePath);
                }
                else
                {
                    RandomAccess.SetLength(chunk.File.Handle, chunk.FilePosition);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // What stays behind is cut by recovery: its sequences are below every later record's.
            }
        }
    }

    private void Apply(List<PendingWrite> group)
    {
        lock (_lock)
        {
            foreach (var chunk in _chunks)
            {
                if (chunk.Created)
                {
                    _index.Files.Add(chunk.File);
                    _active = chunk.File;
                }

                chunk.File.Length = chunk.FilePosition + (chunk.BufferEnd - chunk.BufferStart);
            }

            foreach (var write in group)
            {
                if (!write.IsRecordless)
                {
                    foreach (var op in write.Ops!)
                    {
                        _index.Apply(op, write.File!, write.Position);
                    }
                }
            }
        }

        foreach (var write in group)
        {
            write.Completion?.TrySetResult(write.Offsets.Length == 0 ? StorageWriteResult.NoAppends : new StorageWriteResult(write.Offsets));
        }
    }

    /// <summary>The bytes <c>[BufferStart, BufferEnd)</c> of the group buffer go to <see cref="File"/> at <see cref="FilePosition"/>.</summary>
    private readonly record struct WriteChunk(SegmentFile File, bool Created, long FilePosition, int BufferStart, int BufferEnd);
}
