using System.Globalization;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// CPU time a process has used, from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, fields 14 and 15, in clock ticks of
/// 1/100 s, the Linux USER_HZ). Two readings give the share of one core used in between.
/// </summary>
public static class BrokerCpu
{
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of <paramref name="pid"/> so far, or null when it cannot be read.</summary>
    public static double? ReadSeconds(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Percent of one core used between two readings <paramref name="elapsedSeconds"/> apart (null if either is missing).</summary>
    public static double? Percent(double? before, double? after, double elapsedSeconds) =>
        before is { } b && after is { } a && elapsedSeconds > 0 ? LoadResult.Round((a - b) / elapsedSeconds * 100) : null;
}
