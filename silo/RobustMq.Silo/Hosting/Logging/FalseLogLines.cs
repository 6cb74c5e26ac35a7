using System.Diagnostics;

namespace RobustMq.Silo.Hosting.Logging;

/// <summary>
/// Start-up lines from libraries that are not true of this broker, each recognised precisely (category, message
/// template, and for the watchdog its value) so that the same event with a true value still gets through.
/// </summary>
internal static class FalseLogLines
{
    private const string OriginalFormat = "{OriginalFormat}";
    private static readonly DateTime ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>Whether the event in <paramref name="category"/> with these fields is one of the false lines.</summary>
    public static bool IsFalse(string category, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>> fields) => category switch
    {
        // dotnet/orleans src/Orleans.Runtime/Silo/Watchdog.cs, Start: the platform-watchdog thread is started before
        // _componentWatchdogTimestamp is set, so its first CheckRuntimeHealth measures the time since timestamp 0,
        // which is Stopwatch's origin (on Linux the boot): "Participant check thread has not completed for <uptime>".
        // A stall longer than this process has existed cannot be true; a real one (shorter) is still logged.
        "Orleans.Runtime.Watchdog" => Template(fields).StartsWith("Participant check thread has not completed", StringComparison.Ordinal)
            && Field(fields, "TimeSinceLastTick") is TimeSpan stalled && stalled > DateTime.UtcNow - ProcessStart,

        // dotnet/orleans src/Orleans.Runtime/Silo/Silo.cs, constructor: two "Note: ... ServerGC" warnings whenever the
        // workstation GC runs. This broker runs the workstation GC on purpose (silo/RobustMq.Silo/RobustMq.Silo.csproj
        // says why). The third note with the same event id (verbose logging configured) is true and kept.
        "Orleans.Runtime.Silo" => Template(fields) is var note
            && (note.StartsWith("Note: Silo not running with ServerGC", StringComparison.Ordinal) || note.StartsWith("Note: ServerGC only kicks in", StringComparison.Ordinal)),

        // Microsoft.AspNetCore.Hosting GenericWebHostService: "Now listening on: http://0.0.0.0:8083" for every Kestrel
        // endpoint, calling the MQTT WebSocket and TLS listeners http://. The broker logs each listener with its protocol.
        "Microsoft.Hosting.Lifetime" => eventId.Id == 14 && Template(fields).StartsWith("Now listening on", StringComparison.Ordinal),

        _ => false,
    };

    /// <summary>Whether any event of <paramref name="category"/> can be false (the others are passed through untouched).</summary>
    public static bool Watches(string category) =>
        category is "Orleans.Runtime.Watchdog" or "Orleans.Runtime.Silo" or "Microsoft.Hosting.Lifetime";

    private static string Template(IReadOnlyList<KeyValuePair<string, object?>> fields) => Field(fields, OriginalFormat) as string ?? string.Empty;

    private static object? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Key == name)
            {
                return fields[i].Value;
            }
        }

        return null;
    }
}
