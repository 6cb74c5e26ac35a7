namespace RobustMq.Silo.Hosting;

/// <summary>What the broker says while it starts: configuration warnings and one line per listener.</summary>
internal static partial class StartupLog
{
    public const string Category = "RobustMq.Silo.Startup";

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Listening on {Url} ({Purpose}, {Key})")]
    public static partial void Listening(ILogger logger, string url, string purpose, string key);
}
