namespace RobustMq.Silo.Hosting;

/// <summary>Start-up configuration that cannot be used; the message names the key or file.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
