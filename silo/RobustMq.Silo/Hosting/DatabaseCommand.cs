using System.CommandLine;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// <c>robustmq db init --connection CS</c>: creates or updates the cluster schema (<see cref="ClusterDatabase"/>) in
/// a PostgreSQL database. Exit codes: 0 done, 1 the database refused or could not be reached (one line on stderr),
/// 2 a bad command line (with the usage).
/// </summary>
public static class DatabaseCommand
{
    /// <summary>True when the arguments are a <c>db</c> command rather than the broker's own.</summary>
    public static bool Matches(IReadOnlyList<string> args) => args.Count > 0 && args[0] == "db";

    public static async Task<int> RunAsync(string[] args)
    {
        var connection = new Option<string>("--connection")
        {
            Description = "An Npgsql connection string, e.g. \"Host=127.0.0.1;Port=5432;Username=robustmq;Password=...;Database=robustmq\"",
            Required = true,
        };
        var init = new Command("init", "Create the cluster schema (membership tables and Orleans queries) when missing, or bring it up to date. Safe to run again.")
        {
            connection,
        };
        init.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await ClusterDatabase.InitializeAsync(parse.GetValue(connection)!, cancellationToken);
                await ClusterDatabase.CheckAsync(parse.GetValue(connection)!, cancellationToken);
                Console.WriteLine("robustmq db init: the cluster schema is in place");
                return 0;
            }
            catch (ClusterDatabaseException ex)
            {
                await Console.Error.WriteLineAsync("robustmq db init: " + ex.Message);
                return 1;
            }
        });
        var db = new Command("db", "The cluster database (Cluster:Mode=AdoNet, PostgreSQL).") { init };
        var root = new RootCommand("robustmq") { db };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync("robustmq: " + error.Message);
            }

            await Console.Error.WriteLineAsync("Usage: robustmq db init --connection \"Host=...;Username=...;Database=...\"   (robustmq db --help)");
            return 2;
        }

        return await result.InvokeAsync();
    }
}
