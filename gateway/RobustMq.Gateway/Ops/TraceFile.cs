using System.Text;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// One trace's file on this node (<c>{Trace:Directory}/{name}.log</c>): appended to by the node's trace writer only,
/// never past <c>Trace:MaxFileBytes</c> (a last line says it is full), read for a download, deleted with its trace.
/// </summary>
public sealed class TraceFile(string path, long maxBytes)
{
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private long _bytes = -1;
    private long _dropped;
    private bool _deleted;

    public string Path { get; } = path;

    /// <summary>Whether it reached its cap and takes no more lines.</summary>
    public bool Full { get; private set; }

    /// <summary>Lines lost because the node's trace writer was behind (<c>Trace:QueueCapacity</c>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Its size in bytes now.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _bytes >= 0 ? _bytes : (File.Exists(Path) ? new FileInfo(Path).Length : 0);
            }
        }
    }

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Appends one line (the writer's thread); returns false when it is full or deleted.</summary>
    internal bool Append(string line)
    {
        lock (_lock)
        {
            if (_deleted || Full)
            {
                return false;
            }

            if (_stream is null)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                _bytes = _stream.Length;
            }

            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            if (_bytes + bytes.Length > maxBytes - 128)
            {
                // The last 128 bytes are kept for this line.
                var note = Encoding.UTF8.GetBytes($"# trace file full: Trace:MaxFileBytes ({maxBytes}) reached, later packets are left out\n");
                _stream.Write(note);
                _bytes += note.Length;
                Full = true;
                _stream.Flush();
                return false;
            }

            _stream.Write(bytes);
            _bytes += bytes.Length;
            return true;
        }
    }

    /// <summary>Makes what was appended readable by a download.</summary>
    internal void Flush()
    {
        lock (_lock)
        {
            _stream?.Flush();
        }
    }

    /// <summary>Closes the file (a trace that ended); a later line opens it again.</summary>
    internal void Close()
    {
        lock (_lock)
        {
            if (_stream is not null)
            {
                _bytes = _stream.Length;
                _stream.Dispose();
                _stream = null;
            }
        }
    }

    /// <summary>Closes and deletes the file; no line is written to it after this.</summary>
    internal void Delete()
    {
        lock (_lock)
        {
            _deleted = true;
            _stream?.Dispose();
            _stream = null;
            File.Delete(Path);
        }
    }

    /// <summary>The first <paramref name="maxBytes"/> bytes of the file as text, and whether there was more.</summary>
    public (string Text, bool Truncated) Read(int maxBytes)
    {
        Flush();
        if (!File.Exists(Path))
        {
            return ("", false);
        }

        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = (int)Math.Min(stream.Length, maxBytes);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        // A cut line is left out whole.
        var end = stream.Length > length ? Array.LastIndexOf(buffer, (byte)'\n') + 1 : length;
        return (Encoding.UTF8.GetString(buffer, 0, end), stream.Length > length);
    }
}
