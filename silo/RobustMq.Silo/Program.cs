using RobustMq.Silo.Hosting;

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
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("robustmq: bad configuration: " + string.Join("; ", ex.Failures));
    return 2;
}
