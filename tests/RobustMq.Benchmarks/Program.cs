using BenchmarkDotNet.Running;
using RobustMq.Benchmarks.Load;
using RobustMq.Benchmarks.Storage;

// robustmq-bench micro [BenchmarkDotNet args]   codec, trie, route cache, retained lookups
// robustmq-bench load <scenario> [options]       load generator against a running broker
// robustmq-bench storage <backend> [options]      concurrent engine writes, then reads (memory, rocksdb, segment, postgres)
if (args.Length > 0 && args[0] == "load")
{
    return await LoadCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "storage")
{
    return await StorageCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadCommand).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: robustmq-bench micro [BenchmarkDotNet options] | load <scenario> [options] | storage memory|rocksdb|segment|postgres [options]");
return 2;
