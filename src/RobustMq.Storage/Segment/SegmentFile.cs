using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace RobustMq.Storage.Segment;

/// <summary>
/// One segment file of the log, <c>wal/NNNNNNNNNNNNNNNNNNNN.seg</c> named by the sequence of its first record (20
/// digits, so names sort like numbers). Holds the open handle, the length of its intact records and how much of it
/// is still live: shard records at or above their shard's low and keyed values that are the latest of their key.
/// Mutated by the writer loop (and recovery) under the engine's lock; read by readers under the same lock.
/// </summary>
internal sealed class SegmentFile : IDisposable
{
    public const string Extension = ".seg";

    private SegmentFile(long firstSequence, string path, SafeFileHandle handle, long length)
    {
        FirstSequence = firstSequence;
        FilePath = path;
        Handle = handle;
        Length = length;
    }

    public long FirstSequence { get; }

    public string FilePath { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Bytes of intact, acknowledged records; the next record goes there.</summary>
    public long Length { get; set; }

    /// <summary>Shard records in this file at or above their shard's low.</summary>
    public long LiveRecords { get; set; }

    /// <summary>Keyed values in this file that are the latest of their key, and their bytes.</summary>
    public long LiveKeys { get; set; }

    public long LiveKeyBytes { get; set; }

    /// <summary>Written since the last fsync.</summary>
    public bool NeedsFlush { get; set; }

    public static string NameOf(long firstSequence) => firstSequence.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>The first sequence a segment file name stands for, or false when it is not a segment name.</summary>
    public static bool TryParseName(string fileName, out long firstSequence)
    {
        firstSequence = 0;
        return fileName.Length == 20 + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstSequence);
    }

    /// <summary>Opens (or creates, when <paramref name="create"/>) the segment of <paramref name="firstSequence"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened or created.</exception>
    public static SegmentFile Open(string directory, long firstSequence, bool create)
    {
        var path = Path.Combine(directory, NameOf(firstSequence));
        var handle = File.OpenHandle(path, create ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        return new SegmentFile(firstSequence, path, handle, create ? 0 : RandomAccess.GetLength(handle));
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="position"/> into a new array.</summary>
    /// <exception cref="IOException">The read failed or the file ended early.</exception>
    public byte[] ReadBytes(long position, int length)
    {
        var bytes = length == 0 ? [] : new byte[length];
        ReadExactly(position, bytes);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="position"/>.</summary>
    /// <exception cref="IOException">The read failed or the file ended early.</exception>
    public void ReadExactly(long position, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(Handle, destination, position);
            if (read <= 0)
            {
                throw new IOException($"segment {FilePath} ended at {position} before a record did");
            }

            destination = destination[read..];
            position += read;
        }
    }

    public void Dispose() => Handle.Dispose();
}
