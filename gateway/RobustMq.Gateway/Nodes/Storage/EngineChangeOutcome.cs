namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>The outcome of an <see cref="EngineChange"/>.</summary>
public enum EngineChangeOutcome
{
    /// <summary>Written.</summary>
    Done = 0,

    /// <summary>Not written: the offset to commit is outside the shard's low .. next.</summary>
    OutOfRange = 1,

    /// <summary>Not written: the shard has consumers that have not read all of it (a delete without force).</summary>
    InUse = 2,
}
