using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// The node's traces (EMQX's log trace by client id, topic filter or IP address). The traces are stored in the
/// cluster's store (<see cref="IOpsStore.TraceSpace"/>), so every node runs each, one that joins later too: a change
/// made through any node's API tells every node (<see cref="INodeControlGrain.TraceChanged"/>), and each reads them
/// again every <see cref="StoreFollower.RefreshInterval"/>. Which run is decided each second from their start and end.
/// Connections read <see cref="Current"/> once per packet (null when none runs: the whole cost of tracing then); a
/// connection that a trace follows formats the packet's line and hands it to <see cref="Enqueue"/>, a bounded queue
/// drained by one writer task into the trace's file (<see cref="TraceFile"/>): when the queue is full the line is
/// dropped and counted, never waited for.
/// </summary>
public sealed partial class TraceService(
    IOptions<TraceOptions> options,
    IOpsStore store,
    NodeNotices notices,
    TimeProvider clock,
    ILogger<TraceService> logger) : IHostedService, IDisposable
{
    /// <summary>How much of one node's file a download takes at most (16 MiB).</summary>
    public const int MaxDownloadBytesPerNode = 16 * 1024 * 1024;

    private readonly TraceOptions _options = options.Value;
    private readonly System.Threading.Channels.Channel<(TraceFile File, string Line)> _queue = System.Threading.Channels.Channel.CreateBounded<(TraceFile, string)>(
        new BoundedChannelOptions(Math.Max(16, options.Value.QueueCapacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private Dictionary<string, TraceSpec> _specs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TraceFile> _files = new(StringComparer.Ordinal);
    private volatile TraceSet? _current;
    private bool _orphansRemoved;
    private StoreFollower? _follower;
    private ITimer? _tick;
    private Task? _writer;

    /// <summary>The traces running on this node now; null when none does.</summary>
    public TraceSet? Current => _current;

    /// <summary>The options in force (the payload preview size, the limits).</summary>
    public TraceOptions Options => _options;

    /// <summary>The folder of this node's trace files.</summary>
    public string Directory => _options.Directory ?? System.IO.Path.Combine("data", "trace");

    /// <summary>Hands a line to the writer; dropped and counted when the writer is <c>Trace:QueueCapacity</c> lines behind.</summary>
    public void Enqueue(ActiveTrace trace, string line)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (!_queue.Writer.TryWrite((trace.File, line)))
        {
            trace.File.CountDropped();
        }
    }

    /// <summary>Every stored trace, by name.</summary>
    public async Task<IReadOnlyList<TraceSpec>> ListAsync(CancellationToken cancellationToken)
    {
        var specs = new List<TraceSpec>();
        foreach (var (key, value) in await store.ListAsync(IOpsStore.TraceSpace, cancellationToken))
        {
            try
            {
                specs.Add(TraceSpec.Decode(value));
            }
            catch (FormatException ex)
            {
                LogUnreadable(logger, key, ex.Message);
            }
        }

        specs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return specs;
    }

    /// <summary>Stores a new trace and has every node run it; the outcome says why not.</summary>
    public async Task<TraceChange> CreateAsync(TraceSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec with { Id = spec.Id ?? TraceSpec.NewId() };
        var all = await ListAsync(cancellationToken);
        if (all.Any(t => t.Name == spec.Name))
        {
            return TraceChange.Exists;
        }

        // Every stored trace counts, stopped ones too (their files stay until they are deleted), as in EMQX.
        if (all.Count >= _options.MaxTraces)
        {
            return TraceChange.TooMany;
        }

        await store.PutAsync(IOpsStore.TraceSpace, spec.Name, spec.Encode(), cancellationToken);
        LogChanged(logger, spec.Name, "created");
        await notices.TellAllAsync(TellChanged);
        return TraceChange.Done;
    }

    /// <summary>Stops a trace early (its files stay for download).</summary>
    public async Task<TraceChange> StopAsync(string name, CancellationToken cancellationToken)
    {
        if ((await ListAsync(cancellationToken)).FirstOrDefault(t => t.Name == name) is not { } spec)
        {
            return TraceChange.NotFound;
        }

        if (spec.StoppedAtUnixMs is null)
        {
            await store.PutAsync(IOpsStore.TraceSpace, name, (spec with { StoppedAtUnixMs = clock.GetUtcNow().ToUnixTimeMilliseconds() }).Encode(), cancellationToken);
            LogChanged(logger, name, "stopped");
            await notices.TellAllAsync(TellChanged);
        }

        return TraceChange.Done;
    }

    /// <summary>Deletes a trace and, on every node, its file.</summary>
    public async Task<TraceChange> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(IOpsStore.TraceSpace, name, cancellationToken))
        {
            return TraceChange.NotFound;
        }

        LogChanged(logger, name, "deleted");
        await notices.TellAllAsync(TellChanged);
        return TraceChange.Done;
    }

    /// <summary>This node's file sizes, by trace name (traces it knows).</summary>
    public Dictionary<string, long> Sizes()
    {
        lock (_gate)
        {
            return _files.ToDictionary(f => f.Key, f => f.Value.Size, StringComparer.Ordinal);
        }
    }

    /// <summary>This node's file of trace <paramref name="name"/>: its text (at most <paramref name="maxBytes"/>), whether it was cut, full, and its dropped lines.</summary>
    public TraceLog Read(string name, int maxBytes)
    {
        TraceFile? file;
        lock (_gate)
        {
            if (!_files.TryGetValue(name, out file) && _specs.TryGetValue(name, out var spec))
            {
                file = new TraceFile(FilePath(spec), _options.MaxFileBytes);
            }
        }

        if (file is null)
        {
            // A trace this node does not know yet: no file.
            return new TraceLog("", "", false, false, 0);
        }

        var (text, truncated) = file.Read(Math.Clamp(maxBytes, 0, MaxDownloadBytesPerNode));
        return new TraceLog("", text, truncated, file.Full, file.Dropped);
    }

    /// <summary>Reads the stored traces again: new ones get a file, deleted ones lose theirs, and the running set follows.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var specs = (await ListAsync(cancellationToken)).ToDictionary(s => s.Name, StringComparer.Ordinal);
            lock (_gate)
            {
                foreach (var (name, file) in _files.ToList())
                {
                    // Deleted, or deleted and created again (another id: another file) while this node did not hear of it.
                    if (!specs.TryGetValue(name, out var spec) || file.Path != FilePath(spec))
                    {
                        file.Delete();
                        _files.Remove(name);
                    }
                }

                _specs = specs;
            }

            if (!_orphansRemoved)
            {
                // Once the store was read: files of traces deleted while this node was down go too.
                _orphansRemoved = true;
                RemoveOrphans(specs);
            }

            Refresh();
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Decides which traces run now; replaces <see cref="Current"/> when that changed.</summary>
    internal void Refresh()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            var running = new List<ActiveTrace>();
            foreach (var spec in _specs.Values)
            {
                if (!_files.TryGetValue(spec.Name, out var file))
                {
                    _files[spec.Name] = file = new TraceFile(FilePath(spec), _options.MaxFileBytes);
                }

                if (spec.IsRunning(now))
                {
                    running.Add(Active(spec, file));
                }
                else
                {
                    file.Close();
                }
            }

            var current = _current;
            var same = current is null ? running.Count == 0
                : running.Count == current.ByConnection.Length + current.ByTopic.Length
                  && running.All(r => current.ByConnection.Concat(current.ByTopic).Any(c => c.Spec == r.Spec));
            if (!same)
            {
                _current = running.Count == 0 ? null : new TraceSet(running);
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        _writer = Task.Run(WriteAsync, CancellationToken.None);
        _follower = await StoreFollower.StartAsync(notices, clock, "Trace", ReloadAsync, TellChanged, ex => LogReloadFailed(logger, ex), cancellationToken);
        _tick = clock.CreateTimer(_ => Refresh(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _tick?.Dispose();
        if (_follower is not null)
        {
            await _follower.StopAsync(cancellationToken);
        }

        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        lock (_gate)
        {
            foreach (var file in _files.Values)
            {
                file.Close();
            }
        }
    }

    public void Dispose()
    {
        _tick?.Dispose();
        _follower?.Dispose();
        _reloading.Dispose();
    }

    private ActiveTrace Active(TraceSpec spec, TraceFile file)
    {
        // The same object while the spec is the same, so connections keep what they matched.
        var current = _current;
        if (current is not null)
        {
            foreach (var t in current.ByConnection.Concat(current.ByTopic))
            {
                if (t.Spec == spec && t.File == file)
                {
                    return t;
                }
            }
        }

        return new ActiveTrace(spec, file);
    }

    private void RemoveOrphans(Dictionary<string, TraceSpec> specs)
    {
        try
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return;
            }

            // Only trace files (*.trace.log): the folder may be shared with other logs.
            var kept = specs.Values.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + TraceSpec.FileSuffix))
            {
                if (!kept.Contains(System.IO.Path.GetFileName(path)))
                {
                    File.Delete(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(logger, ex, Directory);
        }
    }

    private string FilePath(TraceSpec spec) => System.IO.Path.Combine(Directory, spec.FileName);

    /// <summary>The writer: appends each queued line to its file, flushing whenever the queue is empty.</summary>
    private async Task WriteAsync()
    {
        var touched = new HashSet<TraceFile>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                try
                {
                    entry.File.Append(entry.Line);
                    touched.Add(entry.File);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
                {
                    entry.File.CountDropped();
                    LogWriteFailed(logger, ex, entry.File.Path);
                }
            }

            foreach (var file in touched)
            {
                try
                {
                    file.Flush();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    LogWriteFailed(logger, ex, file.Path);
                }
            }

            touched.Clear();
        }
    }

    private static Task TellChanged(INodeControlGrain node) => node.TraceChanged();

    [LoggerMessage(EventId = 8401, Level = LogLevel.Information, Message = "Trace {Name} {Change}")]
    private static partial void LogChanged(ILogger logger, string name, string change);

    [LoggerMessage(EventId = 8402, Level = LogLevel.Warning, Message = "Trace: the store could not be read; the traces in force stay until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 8403, Level = LogLevel.Warning, Message = "Trace: record '{Key}' cannot be read and is left out: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = 8404, Level = LogLevel.Warning, Message = "Trace: writing {Path} failed; the line is counted as dropped")]
    private static partial void LogWriteFailed(ILogger logger, Exception ex, string path);
}
