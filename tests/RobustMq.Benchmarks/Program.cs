using BenchmarkDotNet.Running;
using RobustMq.Benchmarks.Load;
using RobustMq.Benchmarks.Storage;

// robustmq-bench micro [BenchmarkDotNet args]   codec, trie, route cache, retained lookups
// robustmq-bench load <scenario> [options]       load generator against a running broker
// robustmq-bench storage postgres [options]       concurrent engine writes against a PostgreSQL server
if (args.Length > 0 && args[0] == "load")
{
    return await LoadCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "storage")
{
    return await StorageWriteCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadCommand).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: robustmq-bench micro [BenchmarkDotNet options] | load <scenario> [options] | storage postgres [options]");
return 2;
