using System.Text;

namespace RobustMq.Storage.Tests.Conformance;

/// <summary>
/// The contract of <see cref="IStorageEngine"/>, run against every backend (one subclass each). Each test gets its
/// own store: <see cref="OpenAsync"/> opens the same location every time it is called in one test, so a durable
/// backend's data must be there again after <see cref="ReopenAsync"/>.
/// </summary>
public abstract partial class StorageEngineConformance : IAsyncLifetime
{
    private IStorageEngine? _engine;

    protected IStorageEngine Engine => _engine ?? throw new InvalidOperationException("not opened");

    /// <summary>Whether what was written is there again after the engine is disposed and opened anew.</summary>
    protected virtual bool IsDurable => true;

    /// <summary>Whether retention may keep records older than its policy (a backend that deletes whole files).</summary>
    protected virtual bool MayRetainExtra => false;

    public async Task InitializeAsync() => _engine = await OpenAsync();

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        await CleanUpAsync();
    }

    /// <summary>Opens this test's store (the same location on every call within one test).</summary>
    protected abstract ValueTask<IStorageEngine> OpenAsync();

    /// <summary>Removes this test's store once the engine is disposed.</summary>
    protected virtual ValueTask CleanUpAsync() => ValueTask.CompletedTask;

    protected async Task ReopenAsync()
    {
        await Engine.DisposeAsync();
        _engine = null;
        _engine = await OpenAsync();
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    protected async Task<long[]> AppendAsync(string shard, params string[] values)
    {
        var batch = new StorageBatch();
        foreach (var value in values)
        {
            batch.Append(shard, Bytes(value), 1000);
        }

        return (await Engine.WriteAsync(batch)).Offsets;
    }

    protected async Task<string[]> ReadTextAsync(string shard, long from = 0, int max = 1000) =>
        [.. (await Engine.ReadAsync(shard, from, max)).Select(r => Text(r.Value))];

    protected async Task<List<StoredEntry>> ScanAsync(string space, string prefix = "")
    {
        var entries = new List<StoredEntry>();
        await foreach (var entry in Engine.ScanAsync(space, prefix))
        {
            entries.Add(entry);
        }

        return entries;
    }
}
