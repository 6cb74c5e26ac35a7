using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Metrics;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Tests.Metrics;

/// <summary>Drops are logged at most once per reason per interval, with the count of everything in between.</summary>
public sealed class DropLogTests
{
    private readonly ManualClock _clock = new();
    private readonly LineLogger _logger = new();

    [Fact]
    public void The_first_drop_is_logged_at_once_and_a_flood_after_it_becomes_one_line_with_its_count()
    {
        var log = new DropLog(_logger, _clock);

        log.Note(DropReasons.QueueFull, 1);
        for (var i = 0; i < 999; i++)
        {
            log.Note(DropReasons.QueueFull, 1);
        }

        _clock.Advance(DropLog.Interval);
        log.Note(DropReasons.QueueFull, 1);

        Assert.Equal(
            [(LogLevel.Warning, "1 message(s) dropped: queue_full"), (LogLevel.Warning, "1000 message(s) dropped: queue_full")],
            _logger.Lines.Select(l => (l.Level, l.Text[..l.Text.IndexOf(" (", StringComparison.Ordinal)])));
    }

    [Fact]
    public void Each_reason_has_its_own_interval()
    {
        var log = new DropLog(_logger, _clock);

        log.Note(DropReasons.QueueFull, 2);
        log.Note(DropReasons.NotStored, 3);
        log.Note(DropReasons.QueueFull, 5);

        Assert.Equal(["2 message(s) dropped: queue_full", "3 message(s) dropped: not_stored"], _logger.Lines.Select(l => l.Text[..l.Text.IndexOf(" (", StringComparison.Ordinal)]));
    }

    [Fact]
    public void Drops_of_normal_operation_are_debug_lines()
    {
        var log = new DropLog(_logger, _clock);

        log.Note(DropReasons.NoSubscribers, 1);
        log.Note(DropReasons.Expired, 1);

        Assert.All(_logger.Lines, l => Assert.Equal(LogLevel.Debug, l.Level));
        Assert.Equal(2, _logger.Lines.Count);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class LineLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
