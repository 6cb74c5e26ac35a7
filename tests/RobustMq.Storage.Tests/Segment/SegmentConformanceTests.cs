using RobustMq.Storage.Tests.Conformance;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>The contract on the Segment backend: durable, 4 KiB segments so that rollover happens, Sync = Always.</summary>
public sealed class SegmentConformanceTests : StorageEngineConformance, IDisposable
{
    private readonly TempLogDirectory _directory = new();

    protected override bool MayRetainExtra => true;

    public void Dispose() => _directory.Dispose();

    protected override async ValueTask<IStorageEngine> OpenAsync() => await _directory.OpenAsync();

    protected override ValueTask CleanUpAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
