namespace RobustMq.Gateway.Ops;

/// <summary>The outcome of a change to the traces.</summary>
public enum TraceChange
{
    Done,
    NotFound,
    Exists,
    TooMany,
}
