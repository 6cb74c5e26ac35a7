using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Ops;

namespace RobustMq.Gateway.Tests.Ops;

/// <summary>Trace names, and the trace files a node keeps as it follows the stored traces (the store in memory; no cluster notices are sent).</summary>
public sealed class TraceServiceFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"robustmq-traces-{Guid.NewGuid():N}");
    private readonly MemoryOpsStore _store = new();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private TraceService Service() =>
        new(Options.Create(new TraceOptions { Directory = _folder }), _store, null!, TimeProvider.System, NullLogger<TraceService>.Instance);

    private Task StoreAsync(TraceSpec spec) => _store.PutAsync(IOpsStore.TraceSpace, spec.Name, spec.Encode());

    [Theory]
    [InlineData("ok-name_1", true)]
    [InlineData("trailing\n", false)]
    [InlineData("../up", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void A_trace_name_is_1_to_64_letters_digits_underscores_or_dashes_and_nothing_after(string name, bool valid)
    {
        Assert.Equal(valid, TraceSpec.IsValidName(name));
        Assert.Equal(valid, TraceSpec.Problem(name, TraceSpec.ClientIdType, "c") is null);
    }

    [Fact]
    public void A_stored_record_naming_a_path_outside_the_trace_folder_is_not_read()
    {
        var outside = Encoding.UTF8.GetBytes("""{"name":"../../etc/x","type":"clientid","value":"c","start_at":0,"end_at":1}""");
        var badId = Encoding.UTF8.GetBytes("""{"name":"t","type":"clientid","value":"c","start_at":0,"end_at":1,"id":"a/../b"}""");

        Assert.Throws<FormatException>(() => TraceSpec.Decode(outside));
        Assert.Throws<FormatException>(() => TraceSpec.Decode(badId));
        Assert.Equal("t.0123abcd.trace.log", new TraceSpec("t", TraceSpec.ClientIdType, "c", 0, 1, null, "0123abcd").FileName);
    }

    [Fact]
    public async Task A_trace_deleted_and_created_again_under_its_name_while_the_node_missed_it_gets_a_new_file()
    {
        using var service = Service();
        await StoreAsync(new TraceSpec("t", TraceSpec.ClientIdType, "c1", 0, long.MaxValue, null, "aaaa"));
        await service.ReloadAsync();
        var first = Assert.Single(service.Current!.ByConnection);
        Assert.True(first.File.Append("old line"));
        first.File.Flush();
        first.File.CountDropped();
        Assert.StartsWith("old line", service.Read("t", 1 << 20).Text, StringComparison.Ordinal);

        // Deleted and created again (another id) between two reads of the store.
        await StoreAsync(new TraceSpec("t", TraceSpec.ClientIdType, "c2", 0, long.MaxValue, null, "bbbb"));
        await service.ReloadAsync();

        var log = service.Read("t", 1 << 20);
        Assert.Equal(("", 0L, false), (log.Text, log.Dropped, log.Full));
        Assert.False(File.Exists(first.File.Path));
        Assert.NotEqual(first.File.Path, Assert.Single(service.Current!.ByConnection).File.Path);
    }

    [Fact]
    public async Task Start_up_cleanup_deletes_only_trace_files_of_traces_no_longer_stored()
    {
        Directory.CreateDirectory(_folder);
        var kept = new TraceSpec("kept", TraceSpec.TopicType, "a/#", 0, 1, 1, "cccc");
        await StoreAsync(kept);
        foreach (var name in new[] { kept.FileName, "gone.dddd.trace.log", "broker.log", "other.txt" })
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, name), "x\n");
        }

        using var service = Service();
        await service.ReloadAsync();

        Assert.Equal(["broker.log", kept.FileName, "other.txt"], Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }
}
