using System.Runtime.InteropServices;

namespace RobustMq.Storage.Segment;

/// <summary>
/// fsync of a directory, so that a segment file created in it survives a machine crash (its directory entry is
/// data of the directory, which <c>fsync</c> of the file does not write). .NET cannot open a directory as a file,
/// hence libc <c>open</c>/<c>fsync</c>/<c>close</c>; a no-op on Windows, where NTFS journals the entry.
/// </summary>
internal static class DirectorySync
{
    /// <summary>Flushes <paramref name="directory"/>'s entries to disk.</summary>
    /// <exception cref="IOException">open or fsync failed (the errno is the HResult).</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs AllowUnsafeBlocks in the project.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
