using RobustMq.Gateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;

namespace RobustMq.Gateway.Connections;

/// <summary>The node-wide services every connection uses, bundled so a connection takes one argument.</summary>
public sealed class ConnectionServices(
    ConnectionRegistry registry,
    ConnectionLimit limit,
    MessageRouter router,
    RouteCache routes,
    DeadNodes deadNodes,
    RetainedStores retained,
    IGrainFactory grains,
    TopicShardWriter shardWriter,
    ISessionStore sessionStore,
    IOptions<MqttOptions> options,
    AclFile acl,
    AclSourceList aclSources,
    IOptions<AclOptions> aclOptions,
    Authenticator authenticator,
    EnhancedAuthenticator enhancedAuth,
    BlacklistService blacklist,
    FlappingDetector flapping,
    BrokerMetrics metrics,
    TimeProvider clock,
    ILoggerFactory loggers,
    Ops.TraceService trace,
    Ops.SlowSubscriptions slowSubs,
    Sys.SysClientEvents sysEvents)
{
    /// <summary>The node's traces (read once per packet).</summary>
    public Ops.TraceService Trace { get; } = trace;

    /// <summary>The node's slow subscriptions (read once per acknowledgement).</summary>
    public Ops.SlowSubscriptions SlowSubs { get; } = slowSubs;

    /// <summary>Client events to <c>$SYS/brokers/{node}/clients/...</c> (Sys:ClientEvents).</summary>
    public Sys.SysClientEvents SysEvents { get; } = sysEvents;

    public ConnectionRegistry Registry { get; } = registry;
    public ConnectionLimit Limit { get; } = limit;
    public MessageRouter Router { get; } = router;
    public RouteCache Routes { get; } = routes;

    /// <summary>Nodes membership declared dead: a connection there is gone with its node.</summary>
    public DeadNodes DeadNodes { get; } = deadNodes;
    public RetainedStores Retained { get; } = retained;
    public IGrainFactory Grains { get; } = grains;

    /// <summary>The node's writer of route changes to the topic shards.</summary>
    public TopicShardWriter ShardWriter { get; } = shardWriter;

    /// <summary>Where persistent sessions' deliveries are stored while their connection serves them.</summary>
    public ISessionStore SessionStore { get; } = sessionStore;
    public MqttOptions Options { get; } = options.Value;
    /// <summary>The node's shared rules now (the ACL file, read again when it changes).</summary>
    public AclRuleSet Acl => acl.Current;

    /// <summary>
    /// Whether a PUBLISH the ACL refuses also ends the connection (<c>Acl:DenyAction=disconnect</c>, EMQX's
    /// <c>deny_action</c>): DISCONNECT 0x87 Not authorized on MQTT 5, a plain close on 3.1.x. Otherwise it is dropped,
    /// with PUBACK/PUBREC 0x87 on MQTT 5.
    /// </summary>
    public bool DisconnectOnDeniedPublish { get; } = string.Equals(aclOptions.Value.DenyAction, "disconnect", StringComparison.OrdinalIgnoreCase);

    /// <summary>The per-client rule stores asked at each CONNECT (<c>Acl:Sources</c>).</summary>
    public AclSourceList AclSources { get; } = aclSources;

    /// <summary>The authentication chain every CONNECT passes (Auth:Sources).</summary>
    public Authenticator Authenticator { get; } = authenticator;

    /// <summary>The MQTT 5 enhanced authentication methods offered (Auth:EnhancedMethods).</summary>
    public EnhancedAuthenticator EnhancedAuth { get; } = enhancedAuth;

    /// <summary>The bans every CONNECT is checked against (cluster-wide, held in memory).</summary>
    public BlacklistService Blacklist { get; } = blacklist;

    /// <summary>Counts each client id's CONNECTs (Flapping).</summary>
    public FlappingDetector Flapping { get; } = flapping;
    public BrokerMetrics Metrics { get; } = metrics;
    public TimeProvider Clock { get; } = clock;
    public ILogger Logger { get; } = loggers.CreateLogger("RobustMq.Gateway.Connections");

    /// <summary>
    /// How long a grain call may take: the silo's Orleans response timeout (set from this in the host), so a bare
    /// grain call on a hot path needs no timer of its own.
    /// </summary>
    public static readonly TimeSpan GrainCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a connection waits for a grain before giving up on the operation.</summary>
    public TimeSpan GrainTimeout => GrainCallTimeout;

    // GetGrain resolves the interface type on every call (a few per cent of a CONNECT in the connect profile);
    // the directory's 64 shard references are made once.
    private readonly ISessionDirectoryGrain?[] _directory = new ISessionDirectoryGrain?[SessionDirectory.Shards];

    /// <summary>The session directory shard of a client id (a cached reference).</summary>
    public ISessionDirectoryGrain Directory(string clientId) => DirectoryShard(SessionDirectory.ShardOf(clientId));

    /// <summary>Session directory shard <paramref name="shard"/> (0 .. <see cref="SessionDirectory.Shards"/> - 1), a cached reference.</summary>
    public ISessionDirectoryGrain DirectoryShard(int shard) => _directory[shard] ??= Grains.GetGrain<ISessionDirectoryGrain>(shard);
}
