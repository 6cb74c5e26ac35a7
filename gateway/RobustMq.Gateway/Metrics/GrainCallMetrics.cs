using System.Collections.Concurrent;
using System.Reflection;
using Prometheus;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// Times every grain call this node serves (<c>robustmq_grain_call_duration_seconds{interface,method}</c>), as an
/// Orleans incoming grain call filter. Labels come from the interface method, so their number is bounded by the code;
/// the labelled series of each method is bound once and found by reference after that (past
/// <see cref="MaxMethods"/> methods, the rest share <c>other</c>).
/// </summary>
public sealed class GrainCallMetrics(BrokerMetrics metrics) : IIncomingGrainCallFilter
{
    /// <summary>How many distinct methods get series of their own.</summary>
    public const int MaxMethods = 500;

    private readonly ConcurrentDictionary<MethodInfo, Histogram.Child> _series = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await context.Invoke();
        }
        finally
        {
            SeriesOf(context).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private Histogram.Child SeriesOf(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (method is null)
        {
            return metrics.GrainCalls.WithLabels("other", "other");
        }

        if (_series.TryGetValue(method, out var series))
        {
            return series;
        }

        series = _series.Count >= MaxMethods
            ? metrics.GrainCalls.WithLabels("other", "other")
            : metrics.GrainCalls.WithLabels(method.DeclaringType?.Name ?? "other", method.Name);
        return _series.GetOrAdd(method, series);
    }
}
