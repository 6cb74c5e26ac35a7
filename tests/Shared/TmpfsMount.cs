using System.Diagnostics;

namespace RobustMq.Tests.Shared;

/// <summary>
/// A small tmpfs mounted on a fresh temp directory (needs root on Linux): a disk that fills up. Unmounted and removed
/// on dispose. One source file compiled into each test project that needs it (linked from tests/Shared).
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MB; null when this machine does not let us (not Linux, not root).</summary>
    public static TmpfsMount? TryCreate(int megabytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "robustmq-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path))
        {
            return new TmpfsMount(path);
        }

        Directory.Delete(path);
        return null;
    }

    public void Dispose()
    {
        if (!Run("umount", Path))
        {
            Run("umount", "-l", Path);
        }

        Directory.Delete(Path, recursive: true);
    }

    private static bool Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            process.WaitForExit(10_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
