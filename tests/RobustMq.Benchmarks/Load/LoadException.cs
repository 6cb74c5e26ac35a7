namespace RobustMq.Benchmarks.Load;

/// <summary>A scenario cannot go on: a handshake or subscription was refused, a connection broke, a phase timed out.</summary>
public sealed class LoadException : Exception
{
    public LoadException()
    {
    }

    public LoadException(string message)
        : base(message)
    {
    }

    public LoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
