namespace RobustMq.Storage.Tests.Infrastructure;

/// <summary>
/// Where PostgreSQL's server programs are: <c>ROBUSTMQ_PG_BIN</c> when set, else Debian's
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (newest version first; not on PATH), else PATH.
/// </summary>
public sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    public const string DebianPackage = "postgresql";

    public static PostgresBinaries Find()
    {
        foreach (var dir in CandidateDirectories())
        {
            var initdb = Path.Combine(dir, "initdb");
            var pgctl = Path.Combine(dir, "pg_ctl");
            if (File.Exists(initdb) && File.Exists(pgctl))
            {
                return new PostgresBinaries(initdb, pgctl);
            }
        }

        throw new InvalidOperationException(
            $"PostgreSQL server programs (initdb, pg_ctl) not found in $ROBUSTMQ_PG_BIN, /usr/lib/postgresql/*/bin or PATH: "
            + $"install the Debian package '{DebianPackage}' (./test.sh does: apt-get install {DebianPackage})");
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        if (Environment.GetEnvironmentVariable("ROBUSTMQ_PG_BIN") is { Length: > 0 } configured)
        {
            yield return configured;
        }

        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var versions = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .OrderByDescending(d => d.Version);
            foreach (var (dir, _) in versions)
            {
                yield return Path.Combine(dir, "bin");
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }
    }
}
