namespace RobustMq.Benchmarks.Load;

/// <summary>Open while the scenario measures (after warm-up, before drain): latencies are recorded only then.</summary>
public sealed class MeasureWindow
{
    private volatile bool _open;

    public bool IsOpen => _open;

    public void Open() => _open = true;

    public void Close() => _open = false;
}
