using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;

namespace RobustMq.Gateway.Security;

/// <summary>
/// The node's shared rules (<see cref="Current"/>): the ACL file (<c>Acl:File</c>) with <c>Acl:NoMatch</c>, or
/// <c>Acl:NoMatch</c> alone. Every <c>Acl:ReloadSeconds</c> (0: never) the file's size and write time are compared;
/// when they changed, and stayed so at the next look (not a file caught half written), it is read again, and when it parses the node's connected clients are told
/// (<see cref="MqttConnection.AclChanged"/>): their decisions follow the new rules from then on. A file that no longer
/// parses, or cannot be read, keeps the rules in force, with a warning naming the line. Each node reads its own file.
/// </summary>
public sealed partial class AclFile : IHostedService, IDisposable
{
    private readonly AclOptions _options;
    private readonly ConnectionRegistry _connections;
    private readonly TimeProvider _clock;
    private readonly ILogger<AclFile> _logger;
    private volatile AclRuleSet _current;

    /// <summary>Held while rules are made and put in force (the periodic reload, <see cref="ApplyNoMatch"/>): one at a time, the last one made wins.</summary>
    private readonly Lock _gate = new();
    private (long Length, DateTime Written) _stamp;

    /// <summary>The stamp seen at the last look: a change applies once two looks in a row see the same one.</summary>
    private (long Length, DateTime Written) _seen;
    private ITimer? _timer;

    public AclFile(AclOptions options, ConnectionRegistry connections, TimeProvider clock, ILogger<AclFile> logger)
    {
        _options = options;
        _connections = connections;
        _clock = clock;
        _logger = logger;
        _stamp = _seen = Stamp();
        _current = Load();
    }

    /// <summary>The rules in force on this node.</summary>
    public AclRuleSet Current => _current;

    private bool NoMatchAllow => !string.Equals(_options.NoMatch, "deny", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the file again if its size or write time changed and stayed so since the last look (a file caught half
    /// written is not read); true when new rules took effect.
    /// </summary>
    public bool ReloadIfChanged()
    {
        if (string.IsNullOrWhiteSpace(_options.File))
        {
            return false;
        }

        lock (_gate)
        {
            return ReloadIfChangedLocked();
        }
    }

    private bool ReloadIfChangedLocked()
    {
        var file = _options.File ?? "";

        var stamp = Stamp();
        var settled = stamp == _seen;
        _seen = stamp;
        if (stamp == _stamp || !settled)
        {
            return false;
        }

        _stamp = stamp;
        AclRuleSet rules;
        try
        {
            rules = Load();
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(_logger, file, ex.Message);
            return false;
        }

        _current = rules;
        LogReloaded(_logger, file, rules.Rules.Count);
        foreach (var connection in _connections.Connections)
        {
            connection.AclChanged();
        }

        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(_options.File) && _options.ReloadSeconds > 0)
        {
            var every = TimeSpan.FromSeconds(_options.ReloadSeconds);
            _timer = _clock.CreateTimer(_ => ReloadIfChanged(), null, every, every);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private AclRuleSet Load() => Load(NoMatchAllow);

    private AclRuleSet Load(bool noMatchAllow) =>
        string.IsNullOrWhiteSpace(_options.File) ? AclRuleSet.Default(noMatchAllow) : AclRuleSet.Load(_options.File, noMatchAllow);

    private (long, DateTime) Stamp()
    {
        if (string.IsNullOrWhiteSpace(_options.File))
        {
            return default;
        }

        var file = new FileInfo(_options.File);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc) : default;
    }

    [LoggerMessage(EventId = 4121, Level = LogLevel.Information, Message = "ACL: {File} read again, {Count} rules in force")]
    private static partial void LogReloaded(ILogger logger, string file, int count);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Warning, Message = "ACL: {File} changed and cannot be used, the rules in force stay: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string file, string problem);
}
