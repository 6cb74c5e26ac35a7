namespace RobustMq.Silo.Hosting;

/// <summary>Start-up configuration that cannot be used; the message names the key or file.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
