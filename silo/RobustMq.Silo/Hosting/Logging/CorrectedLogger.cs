namespace RobustMq.Silo.Hosting.Logging;

/// <summary>A logger of a watched category: drops the events <see cref="FalseLogLines"/> recognises, passes the rest.</summary>
internal sealed class CorrectedLogger(string category, ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields && FalseLogLines.IsFalse(category, eventId, fields))
        {
            return;
        }

        inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
