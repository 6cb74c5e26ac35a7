using RobustMq.Storage.Memory;
using RobustMq.Storage.Tests.Conformance;

namespace RobustMq.Storage.Tests.Memory;

/// <summary>The contract on the Memory backend (volatile: nothing survives a reopen).</summary>
public sealed class MemoryConformanceTests : StorageEngineConformance
{
    protected override bool IsDurable => false;

    protected override ValueTask<IStorageEngine> OpenAsync() => ValueTask.FromResult<IStorageEngine>(new MemoryStorageEngine());
}
