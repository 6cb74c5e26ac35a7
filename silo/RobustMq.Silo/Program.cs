using System.Net.Sockets;
using Microsoft.Extensions.Options;
using RobustMq.Silo.Hosting;

// Exit codes: 0 stopped normally (or --help / --version), 2 bad command line or configuration, one line naming the key,
// 3 the cluster database (Cluster:Mode=AdoNet) cannot be reached or has no schema.
SocketEventThreads.ServeInline();
if (DatabaseCommand.Matches(args))
{
    return await DatabaseCommand.RunAsync(args);
}

BrokerCommandLine command;
try
{
    command = BrokerCommandLine.Parse(args);
}
catch (ConfigurationException ex)
{
    await Console.Error.WriteLineAsync("robustmq: " + ex.Message);
    await Console.Error.WriteLineAsync(BrokerCommandLine.Usage);
    return 2;
}

if (command.Help)
{
    Console.WriteLine(BrokerCommandLine.Usage);
    return 0;
}

if (command.Version)
{
    Console.WriteLine(BrokerCommandLine.VersionLine);
    return 0;
}

try
{
    var app = BrokerHost.Create(args);
    await app.RunAsync();
    return 0;
}
catch (ConfigurationException ex)
{
    await Console.Error.WriteLineAsync("robustmq: bad configuration: " + ex.Message);
    return 2;
}
catch (ClusterDatabaseException ex)
{
    await Console.Error.WriteLineAsync("robustmq: " + ex.Message);
    return 3;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("robustmq: bad configuration: " + string.Join("; ", ex.Failures));
    return 2;
}
catch (Exception ex) when (StorageFailure(ex) is { } storage)
{
    // A store that cannot be opened at start (a data folder another broker holds, a database that refuses us).
    await Console.Error.WriteLineAsync("robustmq: cannot open storage: " + storage.Message);
    return 2;
}
catch (Exception ex) when (AddressInUse(ex) is { } inUse)
{
    // A port taken after PortCheck looked (a race with another process): the listener's own bind failed.
    await Console.Error.WriteLineAsync("robustmq: cannot listen: " + inUse);
    return 2;
}

// The storage error inside the exception that stopped start-up (Orleans wraps its lifecycle's failures).
static RobustMq.Storage.StorageException? StorageFailure(Exception ex)
{
    for (Exception? e = ex; e is not null; e = e.InnerException)
    {
        if (e is RobustMq.Storage.StorageException storage)
        {
            return storage;
        }
    }

    return null;
}

// The message of the outermost exception that says which listener could not bind ("Listeners:Tcp:Port 1883: ...",
// Kestrel's "Failed to bind to address http://0.0.0.0:8083: address already in use.").
static string? AddressInUse(Exception ex)
{
    for (Exception? e = ex; e is not null; e = e.InnerException)
    {
        if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.GetType().Name == "AddressInUseException")
        {
            return ex is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerException!.Message : ex.Message;
        }
    }

    return null;
}
