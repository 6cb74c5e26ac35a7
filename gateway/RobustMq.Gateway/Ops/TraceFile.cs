using System.Text;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// One trace's file on this node (<c>{Trace:Directory}/{name}.{id}.trace.log</c>, see <see cref="TraceSpec.FileName"/>):
/// appended to by the node's trace writer only, never past <c>Trace:MaxFileBytes</c> (a last line says it is full),
/// read for a download, deleted with its trace. A file found full (its last line says so, e.g. after a restart) takes
/// no more lines and gets no second such line.
/// </summary>
public sealed class TraceFile(string path, long maxBytes)
{
    /// <summary>The start of the last line of a full file.</summary>
    public const string FullNote = "# trace file full";

    private readonly Lock _lock = new();
    private FileStream? _stream;
    private long _bytes = -1;
    private long _dropped;
    private bool _deleted;

    public string Path { get; } = path;

    /// <summary>Whether it reached its cap and takes no more lines (read from the file when it exists).</summary>
    public bool Full { get; private set; } = EndsWithFullNote(path);

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
                var note = Encoding.UTF8.GetBytes($"{FullNote}: Trace:MaxFileBytes ({maxBytes}) reached, later packets are left out\n");
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

    /// <summary>
    /// The first <paramref name="maxBytes"/> bytes of the file as text, whole lines only (a line not yet ended, or cut
    /// by <paramref name="maxBytes"/>, is left out), and whether the file had more.
    /// </summary>
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
        // Only up to the last '\n': a cut line, or one the writer has not finished, is left out whole.
        var end = Array.LastIndexOf(buffer, (byte)'\n') + 1;
        return (Encoding.UTF8.GetString(buffer, 0, end), stream.Length > length);
    }

    /// <summary>Whether the file at <paramref name="path"/> ends with the line saying it is full.</summary>
    private static bool EndsWithFullNote(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = (int)Math.Min(stream.Length, 256);
            stream.Seek(-length, SeekOrigin.End);
            var tail = new byte[length];
            stream.ReadExactly(tail);
            var text = Encoding.UTF8.GetString(tail).TrimEnd('\n');
            return text[(text.LastIndexOf('\n') + 1)..].StartsWith(FullNote, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
