namespace RobustMq.Gateway.Security;

/// <summary>What a client asks to do with a topic.</summary>
public enum AclAction
{
    /// <summary>Send a PUBLISH to a topic name.</summary>
    Publish,

    /// <summary>SUBSCRIBE to a topic filter (for a shared subscription, its inner filter).</summary>
    Subscribe,
}
