using Microsoft.Extensions.Options;
using RobustMq.Protocol.Topics;
using RobustMq.Storage;
using RobustMq.Storage.Memory;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.RocksDb;
using RobustMq.Storage.Segment;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The storage engines of this process, one per backend the configuration uses, opened as the silo starts (before any
/// grain runs: a store that cannot be opened stops start-up with a <see cref="StorageException"/> naming the key) and
/// closed as it stops. The one place that maps configuration to a backend: grains ask for the engine of a topic
/// (<see cref="ForTopic"/>) or for every engine that may hold their data (<see cref="InUse"/>), never for a backend by name.
/// </summary>
public sealed class StorageEngines : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    /// <summary>The backends this build can open.</summary>
    public static readonly IReadOnlyList<StorageBackend> Available = [StorageBackend.Memory, StorageBackend.RocksDb, StorageBackend.Segment, StorageBackend.Postgres];

    private readonly StorageOptions _options;
    private readonly StorageSync _sync;
    private readonly Lock _lock = new();
    private readonly Dictionary<StorageBackend, IStorageEngine> _open = [];
    private readonly StorageBackend[] _configured;
    private readonly RobustMq.Abstractions.Metrics.IStorageMetrics? _metrics;
    private bool _disposed;

    /// <param name="options">The <c>Storage</c> section.</param>
    /// <param name="metrics">Meters every engine's writes (the node's metrics), or null.</param>
    public StorageEngines(IOptions<StorageOptions> options, RobustMq.Abstractions.Metrics.IStorageMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options.Value;
        if (!StorageSync.TryParse(_options.Sync, out _sync))
        {
            throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions), [$"Storage:Sync is not valid (got '{_options.Sync}')"]);
        }

        _configured = [.. _options.Topics.Select(r => r.Backend).Append(_options.Default).Distinct()];
    }

    public static bool IsAvailable(StorageBackend backend) => Available.Contains(backend);

    /// <summary>The engine that keeps data of <paramref name="topic"/>: the first matching <c>Storage:Topics</c> rule, else <c>Storage:Default</c>.</summary>
    /// <exception cref="StorageException">The backend could not be opened (Unavailable, naming the path or server).</exception>
    public IStorageEngine ForTopic(string topic)
    {
        foreach (var rule in _options.Topics)
        {
            if (TopicMatcher.Matches(rule.Filter, topic))
            {
                return Open(rule.Backend);
            }
        }

        return Open(_options.Default);
    }

    /// <summary>The engine of state that belongs to no topic (sessions and their queues): <c>Storage:Default</c>.</summary>
    public IStorageEngine ForState() => Open(_options.Default);

    /// <summary>Every engine the configuration can put data in (the default and each rule's backend), opened.</summary>
    public IReadOnlyList<IStorageEngine> InUse()
    {
        var engines = new IStorageEngine[_configured.Length];
        for (var i = 0; i < engines.Length; i++)
        {
            engines[i] = Open(_configured[i]);
        }

        return engines;
    }

    /// <summary>
    /// Every open backend, the default first, with its engine (as the grains use it) and the engine as opened (to reach
    /// what one backend alone has, such as <see cref="SegmentStorageEngine.ListSegments"/>): the admin API's view.
    /// </summary>
    public IReadOnlyList<(StorageBackend Backend, IStorageEngine Engine, IStorageEngine Opened)> Backends()
    {
        var backends = new List<(StorageBackend, IStorageEngine, IStorageEngine)>();
        foreach (var backend in _configured.OrderBy(b => b == _options.Default ? 0 : 1))
        {
            var engine = Open(backend);
            backends.Add((backend, engine, engine is MeteredStorageEngine metered ? metered.Inner : engine));
        }

        return backends;
    }

    /// <summary>
    /// Where <paramref name="backend"/> keeps its data: the full path of its directory (RocksDb, Segment), the server
    /// as <c>host:port/database schema</c> (Postgres: never the password or other settings), null for Memory.
    /// </summary>
    public string? LocationOf(StorageBackend backend)
    {
        switch (backend)
        {
            case StorageBackend.RocksDb:
                return System.IO.Path.Combine(System.IO.Path.GetFullPath(_options.Path), "rocksdb");
            case StorageBackend.Segment:
                return System.IO.Path.Combine(System.IO.Path.GetFullPath(_options.Path), "segments");
            case StorageBackend.Postgres:
                try
                {
                    var server = new Npgsql.NpgsqlConnectionStringBuilder(_options.Postgres.ConnectionString);
                    return $"{server.Host}:{server.Port}/{server.Database} {_options.Postgres.Schema}";
                }
                catch (ArgumentException)
                {
                    return _options.Postgres.Schema;
                }

            default:
                return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        IStorageEngine[] open;
        lock (_lock)
        {
            _disposed = true;
            open = [.. _open.Values];
            _open.Clear();
        }

        foreach (var engine in open)
        {
            await engine.DisposeAsync();
        }
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(StorageEngines), ServiceLifecycleStage.RuntimeServices, StartAsync, async _ => await DisposeAsync());
    }

    /// <summary>Opens every configured backend (the silo does this as it starts; tests may call it directly).</summary>
    /// <exception cref="StorageException">A backend could not be opened; the message names its key.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var backend in _configured)
        {
            IStorageEngine engine;
            lock (_lock)
            {
                if (_open.ContainsKey(backend))
                {
                    continue;
                }
            }

            engine = await CreateAsync(backend, cancellationToken);
            if (_metrics is not null)
            {
                engine = new MeteredStorageEngine(engine, _metrics.ForBackend(backend.ToString().ToLowerInvariant()));
            }

            lock (_lock)
            {
                _open[backend] = engine;
            }
        }
    }

    private IStorageEngine Open(StorageBackend backend)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                throw new StorageException(StorageErrorKind.Closed, "the broker's storage is closed (shutting down)");
            }

            return _open.TryGetValue(backend, out var engine)
                ? engine
                : throw new StorageException(StorageErrorKind.Unavailable, $"storage backend {backend} is not open (the silo has not started it)");
        }
    }

    private async Task<IStorageEngine> CreateAsync(StorageBackend backend, CancellationToken cancellationToken)
    {
        try
        {
            switch (backend)
            {
                case StorageBackend.Memory:
                    return new MemoryStorageEngine();
                case StorageBackend.RocksDb:
                    return new RocksDbStorageEngine(new RocksDbStorageOptions(LocationOf(backend)!, _sync));
                case StorageBackend.Segment:
                    return await SegmentStorageEngine.OpenAsync(new SegmentStorageOptions { Path = LocationOf(backend)!, Sync = _sync }, cancellationToken);
                case StorageBackend.Postgres:
                    var postgres = new PostgresStorageOptions { ConnectionString = _options.Postgres.ConnectionString, Schema = _options.Postgres.Schema, Sync = _sync, Shared = _options.Postgres.Shared };
                    return await PostgresStorageEngine.OpenAsync(postgres, cancellationToken);
                default:
                    throw new StorageException(StorageErrorKind.Unavailable, $"storage backend {backend} is not in this build");
            }
        }
        catch (StorageException ex) when (ex.Kind != StorageErrorKind.Closed)
        {
            var key = backend == StorageBackend.Postgres ? "Storage:Postgres:ConnectionString" : "Storage:Path";
            throw new StorageException(ex.Kind, $"{key}: the {backend} store cannot be opened: {ex.Message}", ex);
        }
    }
}
