namespace RobustMq.Gateway.Sys;

/// <summary>
/// The <c>Sys</c> section: how often the <c>$SYS/brokers/{node}/...</c> tree is published (0 turns it off), and whether
/// client events (<c>$SYS/brokers/{node}/clients/{clientid}/connected|disconnected|subscribed|unsubscribed</c>) are.
/// </summary>
public sealed class SysOptions
{
    public const string Section = "Sys";
    public const int DefaultIntervalSeconds = 10;
    public const bool DefaultClientEvents = true;

    /// <summary>Seconds between two publications of the tree (RobustMQ's <c>system_topic_interval_ms</c>); 0: none.</summary>
    public int IntervalSeconds { get; set; } = DefaultIntervalSeconds;

    /// <summary>Whether client events are published (EMQX's <c>sys_topics.sys_event_messages</c>).</summary>
    public bool ClientEvents { get; set; } = DefaultClientEvents;
}
