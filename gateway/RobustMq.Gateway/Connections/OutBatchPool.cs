using System.Collections.Concurrent;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Write-loop batches are borrowed only while a connection has something to write, so an idle connection
/// holds no batch buffer (they would be most of an idle connection's memory otherwise).
/// </summary>
internal static class OutBatchPool
{
    private const int MaxPooled = 256;
    private const int MaxKeptCapacity = 1024;
    private static readonly ConcurrentQueue<List<OutItem>> Pool = new();

    public static List<OutItem> Rent() => Pool.TryDequeue(out var list) ? list : new List<OutItem>(64);

    public static void Return(List<OutItem> list)
    {
        list.Clear();
        if (list.Capacity <= MaxKeptCapacity && Pool.Count < MaxPooled)
        {
            Pool.Enqueue(list);
        }
    }
}
