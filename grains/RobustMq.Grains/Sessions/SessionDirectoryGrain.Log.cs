using Microsoft.Extensions.Logging;

namespace RobustMq.Grains.Sessions;

// The session directory shard's log lines (event ids 22xx).
public sealed partial class SessionDirectoryGrain
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Session directory shard {Shard} started with {Holders} client ids; {Orphans} sessions lost their connection's node, {Due} are due later")]
    private static partial void LogRebuilt(ILogger logger, int shard, int holders, int orphans, int due);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Session directory shard {Shard}: node {Node} did not say which client ids it holds")]
    private static partial void LogHoldersFailed(ILogger logger, Exception ex, int shard, string node);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "The session index entry {Key} cannot be read; its session is not looked after")]
    private static partial void LogBadEntry(ILogger logger, Exception ex, string key);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Waking the session of {ClientId} failed; tried again later")]
    private static partial void LogWakeFailed(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Information, Message = "Session directory shard {Shard}: nodes {Nodes} died; {Ended} of their client ids let go, {Due} disconnected sessions to wake when due")]
    private static partial void LogNodesForgotten(ILogger logger, int shard, string nodes, int ended, int due);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Warning, Message = "Session directory shard {Shard}: looking after dead nodes' sessions failed; tried again in 5 s")]
    private static partial void LogForgetFailed(ILogger logger, Exception ex, int shard);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Session directory shard {Shard} was deactivated ({Reason}: {Description}); it starts again at once")]
    private static partial void LogRestarting(ILogger logger, int shard, DeactivationReasonCode reason, string description);
}
