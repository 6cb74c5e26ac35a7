using System.Globalization;

namespace RobustMq.Benchmarks.Load;

/// <summary>Reads a process's resident set size from <c>/proc/&lt;pid&gt;/status</c> (VmRSS).</summary>
public static class BrokerMemory
{
    /// <summary>The RSS in kB, or null when the process or the line is missing.</summary>
    public static long? ReadRssKilobytes(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            return null;
        }

        return null;
    }
}
