// The child process of RocksDbCrashTests: opens a RocksDB store with Sync=Always and has <writers> concurrent writers
// each write batches of (append "w:i" to shard "crash", put retained key "w/<w>" = "i") for i = 0, 1, ... until
// <perWriter> or until the process is killed. After each acknowledged batch it prints "ack <w> <i> <offset>".
// Usage: RobustMq.Storage.CrashWriter <path> <writers> <perWriter>
using System.Globalization;
using System.Text;
using RobustMq.Storage;
using RobustMq.Storage.RocksDb;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: RobustMq.Storage.CrashWriter <path> <writers> <perWriter>");
    return 2;
}

var writers = int.Parse(args[1], CultureInfo.InvariantCulture);
var perWriter = int.Parse(args[2], CultureInfo.InvariantCulture);
var output = Console.Out;
await using var engine = new RocksDbStorageEngine(new RocksDbStorageOptions(args[0], StorageSync.Always));
output.WriteLine("ready");
await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var i = 0; i < perWriter; i++)
    {
        var text = i.ToString(CultureInfo.InvariantCulture);
        var batch = new StorageBatch()
            .Append("crash", Encoding.UTF8.GetBytes($"{w}:{text}"), i)
            .Put("retained", $"{w}/", Encoding.UTF8.GetBytes(text));
        var result = await engine.WriteAsync(batch);
        lock (output)
        {
            output.WriteLine($"ack {w} {text} {result.Offsets[0]}");
        }
    }
})));
output.WriteLine("done");
return 0;
