using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Silo.Hosting.Logging;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// The broker's logger factory drops exactly the false start-up lines of Orleans and Kestrel and keeps the same
/// events when they are true. (The executable test in <see cref="StartupLogTests"/> sees the watchdog line only when
/// Orleans' start-up race happens, about one start in two on this machine; this one shows the rule each time.)
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class FalseLogLineTests
{
    // The templates as Orleans 10 and ASP.NET Core log them (dotnet/orleans src/Orleans.Runtime/Silo/Watchdog.cs, Silo.cs).
    private static readonly Action<ILogger, TimeSpan, Exception?> ParticipantStall = LoggerMessage.Define<TimeSpan>(
        LogLevel.Warning, new EventId(100150), "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.");

    private static readonly Action<ILogger, Exception?> ServerGcNote = LoggerMessage.Define(
        LogLevel.Warning, new EventId(100405), "Note: Silo not running with ServerGC turned on - recommend checking app config : <configuration>-<runtime>-<gcServer enabled=\"true\">");

    private static readonly Action<ILogger, Exception?> SingleCoreNote = LoggerMessage.Define(
        LogLevel.Warning, new EventId(100405), "Note: ServerGC only kicks in on multi-core systems (settings enabling ServerGC have no effect on single-core machines).");

    private static readonly Action<ILogger, string, Exception?> VerboseNote = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(100405), "A verbose logging level ({HighestLogLevel}) is configured. This will impact performance. The recommended log level is Information.");

    private static readonly Action<ILogger, string, Exception?> NowListening = LoggerMessage.Define<string>(
        LogLevel.Information, new EventId(14, "ListeningOnAddress"), "Now listening on: {address}");

    [Fact]
    public void Watchdog_stall_longer_than_the_process_has_run_is_dropped()
    {
        var (factory, lines) = NewFactory();

        ParticipantStall(factory.CreateLogger("Orleans.Runtime.Watchdog"), TimeSpan.FromDays(3), null);

        Assert.Empty(lines);
    }

    [Fact]
    public void Watchdog_stall_that_can_be_true_is_kept()
    {
        var (factory, lines) = NewFactory();

        ParticipantStall(factory.CreateLogger("Orleans.Runtime.Watchdog"), TimeSpan.FromMilliseconds(1), null);

        Assert.Single(lines);
    }

    [Fact]
    public void Server_gc_notes_are_dropped_and_the_verbose_logging_note_is_kept()
    {
        var (factory, lines) = NewFactory();
        var silo = factory.CreateLogger("Orleans.Runtime.Silo");

        ServerGcNote(silo, null);
        SingleCoreNote(silo, null);
        VerboseNote(silo, "Debug", null);

        Assert.Equal(["A verbose logging level (Debug) is configured. This will impact performance. The recommended log level is Information."], lines);
    }

    [Fact]
    public void Kestrel_now_listening_lines_are_dropped_and_other_categories_untouched()
    {
        var (factory, lines) = NewFactory();

        NowListening(factory.CreateLogger("Microsoft.Hosting.Lifetime"), "http://0.0.0.0:8083", null);
        ServerGcNote(factory.CreateLogger("Some.Other.Category"), null);

        Assert.Single(lines);
    }

    private static (ILoggerFactory Factory, List<string> Lines) NewFactory()
    {
        var lines = new List<string>();
        var inner = new LoggerFactory([new ListProvider(lines)], new StaticFilterOptions());
        return (new CorrectedLoggerFactory(inner), lines);
    }

    private sealed class StaticFilterOptions : IOptionsMonitor<LoggerFilterOptions>
    {
        public LoggerFilterOptions CurrentValue { get; } = new() { MinLevel = LogLevel.Trace };

        public LoggerFilterOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<LoggerFilterOptions, string?> listener) => null;
    }

    private sealed class ListProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add(formatter(state, exception));
    }
}
