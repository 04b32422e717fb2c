using Npgsql;

namespace OpenCxo.Testing;

/// <summary>
/// Fresh, real databases for tests: a new SQLite file or a new PostgreSQL database per call.
/// PostgreSQL needs OPENCXO_TEST_POSTGRES, a superuser connection string that ./test.sh exports
/// for the throw-away server it starts.
/// </summary>
public static class TestDatabases
{
    /// <summary>Superuser connection string to a server the tests may create databases on.</summary>
    public const string PostgresVariable = "OPENCXO_TEST_POSTGRES";

    /// <summary>Optional folder for SQLite files; ./test.sh sets it to a per-run folder it deletes on exit.</summary>
    public const string TempVariable = "OPENCXO_TEST_TMP";

    /// <summary>Provider names for <c>[MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]</c>.</summary>
    public static IEnumerable<object[]> Providers => [["sqlite"], ["postgres"]];

    /// <summary>A path for a new SQLite database file that does not exist yet.</summary>
    public static string NewSqlitePath()
    {
        var root = Environment.GetEnvironmentVariable(TempVariable);
        var dir = string.IsNullOrEmpty(root)
            ? Path.Combine(Path.GetTempPath(), "opencxo-tests")
            : root;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db");
    }

    /// <summary>Creates a new, empty PostgreSQL database and returns a connection string for it.</summary>
    public static async Task<string> NewPostgresConnectionStringAsync()
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException(
                "PostgreSQL tests need OPENCXO_TEST_POSTGRES; run ./test.sh, which starts a server");
        }

        var name = "t_" + Guid.NewGuid().ToString("N");
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // The name is "t_" and 32 hex digits: nothing to quote or escape.
            command.CommandText = "CREATE DATABASE " + name;
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                $"Could not create test database {name} on the server in {PostgresVariable}: {e.Message}", e);
        }

        var builder = new NpgsqlConnectionStringBuilder(admin)
        {
            Database = name,
            IncludeErrorDetail = true,
            // Every test database gets its own pool; close idle connections soon so that a run
            // with hundreds of databases stays under the server's max_connections.
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        };
        return builder.ConnectionString;
    }

    /// <summary>
    /// A new database in the <c>--db</c> location form: <c>sqlite:PATH</c> or <c>postgres:CONNECTION-STRING</c>.
    /// </summary>
    public static async Task<string> NewDatabaseAsync(string provider) => provider switch
    {
        "sqlite" => "sqlite:" + NewSqlitePath(),
        "postgres" => "postgres:" + await NewPostgresConnectionStringAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Expected \"sqlite\" or \"postgres\"."),
    };
}
